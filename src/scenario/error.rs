//! Scenario errors: each names the file, line and column, and what was expected.

use std::fmt;

use crate::model::config::FieldPath;

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file, as the user named it.
    pub file: String,
    /// 1-based line (0 when the problem is not at a place in the file, e.g. it is missing).
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    /// The field the problem is about, when it was found after parsing
    /// (`pools[0].autoscale.target`), so that an editor can show it beside that field.
    pub field: Option<FieldPath>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl ScenarioError {
    /// An error about the file as a whole (it cannot be read, say).
    pub fn unlocated(file: &str, message: String) -> ScenarioError {
        ScenarioError {
            file: file.to_string(),
            line: 0,
            col: 0,
            field: None,
            message,
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.col, self.message
            )
        }
    }
}

/// Every problem found in a scenario (at least one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl ScenarioErrors {
    /// A single error.
    pub fn one(e: ScenarioError) -> ScenarioErrors {
        ScenarioErrors(vec![e])
    }
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

/// RON's message, with the field it concerns (RON's own wording often leaves it out, as
/// in "Expected float") and a hint where the wording alone leaves a new user guessing.
pub(super) fn explain_ron(code: &ron::Error, text: &str, line: usize, col: usize) -> String {
    let mut msg = code.to_string();
    let names_field = matches!(
        code,
        ron::Error::NoSuchStructField { .. }
            | ron::Error::MissingStructField { .. }
            | ron::Error::DuplicateStructField { .. }
    ) || starts_with_field(&msg);
    if !names_field && let Some(field) = field_before(text, line, col) {
        msg = format!("{msg} (in `{field}`)");
    }
    match code {
        ron::Error::Eof => format!("{msg}: a bracket or parenthesis is not closed"),
        ron::Error::ExpectedStructLikeEnd | ron::Error::ExpectedArrayEnd => {
            format!("{msg}; is a comma missing before this?")
        }
        _ => msg,
    }
}

/// Whether a message already names its field ("size: min 5 is greater than max 3"):
/// a check on a whole struct is reported after its last field, which would be the wrong
/// one to name.
fn starts_with_field(msg: &str) -> bool {
    msg.split_once(": ").is_some_and(|(head, _)| {
        !head.is_empty() && head.chars().all(|c| c.is_ascii_lowercase() || c == '_')
    })
}

/// The name of the field whose value is at `line`:`col` (1-based): the last `name:`
/// before that position, on its line or the lines above.
fn field_before(text: &str, line: usize, col: usize) -> Option<String> {
    let mut lines: Vec<&str> = text.lines().take(line).collect();
    if let Some(last) = lines.last_mut() {
        let cut = last
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(last.len(), |(i, _)| i);
        *last = &last[..cut];
    }
    for l in lines.iter().rev() {
        let code = l.split("//").next().unwrap_or("");
        for (colon, _) in code.rmatch_indices(':') {
            let name: String = code[..colon]
                .chars()
                .rev()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) {
                return Some(name);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_errors_name_the_field() {
        let text = "(\n  name: \"x\",\n  duration_secs: \"long\",\n)";
        // The value starts at line 3, column 18.
        assert_eq!(field_before(text, 3, 18), Some("duration_secs".into()));
        // The colons inside a time like "mon 25:00" are skipped: the field is `at`.
        assert_eq!(
            field_before("(\n  at: \"mon 25:00\",", 2, 19),
            Some("at".into())
        );
    }
}
