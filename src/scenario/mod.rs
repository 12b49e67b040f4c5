//! Scenario files: the RON schema (serde structs with defaults), parsing with errors that
//! name file, line and column, and validation into a checked [`Scenario`] the model runs.

mod error;
mod schema;
pub mod span;
mod validate;

pub use error::{ScenarioError, ScenarioErrors};
pub use schema::{
    ClassSpec, Failures, HealthCheck, PoolSize, PoolSpec, ScenarioFile, ScheduleEntry, SloSpec,
    StartClock, WorkloadSpec,
};
pub use validate::{Scenario, Source};

use std::path::Path;

/// RON options used for reading and writing scenarios: `Some(x)` may be written as `x`,
/// and `Hpa((target: 0.6))` as `Hpa(target: 0.6)`.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(
        ron::extensions::Extensions::IMPLICIT_SOME
            | ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES,
    )
}

/// Writes a scenario as pretty RON that [`parse`] reads back (the app's editor, `scenario.ron`).
pub fn to_ron(file: &ScenarioFile) -> Result<String, ron::Error> {
    let pretty = ron::ser::PrettyConfig::new()
        .depth_limit(8)
        .struct_names(false)
        .extensions(
            ron::extensions::Extensions::IMPLICIT_SOME
                | ron::extensions::Extensions::UNWRAP_VARIANT_NEWTYPES,
        );
    ron_options().to_string_pretty(file, pretty)
}

/// Reads a scenario file without checking it beyond its syntax and field types.
pub fn read(path: &Path) -> Result<(ScenarioFile, Source), ScenarioErrors> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ScenarioErrors::one(ScenarioError::unlocated(
            &label,
            format!("cannot read the file: {e}"),
        ))
    })?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let source = Source { label, text, dir };
    let file = parse(&source)?;
    Ok((file, source))
}

/// Parses scenario text (already read into `source`).
pub fn parse(source: &Source) -> Result<ScenarioFile, ScenarioErrors> {
    ron_options()
        .from_str::<ScenarioFile>(&source.text)
        .map_err(|e| {
            ScenarioErrors::one(ScenarioError {
                file: source.label.clone(),
                line: e.span.start.line,
                col: e.span.start.col,
                field: None,
                message: error::explain_ron(
                    &e.code,
                    &source.text,
                    e.span.start.line,
                    e.span.start.col,
                ),
            })
        })
}

/// Reads and checks a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioErrors> {
    let (file, source) = read(path)?;
    Scenario::validate(file, &source)
}
