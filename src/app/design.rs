//! A design: one scenario being explored, its source, its validity and its run.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use egui::Color32;

use super::live::LiveRun;
use crate::scenario::{Scenario, ScenarioFile, Source, parse};

pub use super::theme::PALETTE;

/// One scenario being explored.
pub struct Design {
    /// Where it was loaded from or last saved to.
    path: Option<PathBuf>,
    /// Its RON source as last loaded, saved or produced by an edit.
    text: String,
    /// What the editor edits. Always the last text that parsed.
    pub(crate) file: ScenarioFile,
    /// The last version that passed validation (what runs).
    pub(crate) scenario: Option<Scenario>,
    /// Why the current text or edit is rejected ("file:line:col: message" each).
    pub(crate) errors: Vec<String>,
    /// The field each of `errors` is about, when the checker named one
    /// (`pools[0].size.min`), so the editor shows it beside that field.
    pub(crate) error_fields: Vec<Option<String>>,
    /// The run in progress, if the scenario is valid.
    pub(crate) run: Option<LiveRun>,
    /// Its colour in overlays.
    pub(crate) colour: Color32,
    /// The file's modification time when it was read or written (to notice changes).
    disk_mtime: Option<SystemTime>,
    /// Edited since it was loaded or saved.
    dirty: bool,
}

/// Why a design could not be loaded at all (a file that parses but fails its checks
/// still loads, with its errors shown).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file cannot be read.
    #[error("{path}: cannot read the file: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The text is not a scenario (RON syntax or field types), with its places.
    #[error("{0}")]
    Parse(#[from] crate::scenario::ScenarioErrors),
}

/// Why a design could not be saved.
#[derive(Debug, thiserror::Error)]
#[error("cannot save {path}: {source}")]
pub struct SaveError {
    /// The file it was to be saved as.
    path: String,
    /// Why.
    source: std::io::Error,
}

impl Design {
    /// Reads `path`. A file that parses but fails validation still opens, with its
    /// errors shown, so it can be fixed in the editor.
    pub fn open(path: &Path, colour: Color32) -> Result<Design, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let mut d = Design::from_text(&text, Some(path.to_path_buf()), colour)?;
        d.disk_mtime = mtime(path);
        Ok(d)
    }

    /// A design from RON text; fails only if the text does not parse at all.
    pub fn from_text(
        text: &str,
        path: Option<PathBuf>,
        colour: Color32,
    ) -> Result<Design, LoadError> {
        let source = source_for(text, path.as_deref());
        let file = parse(&source)?;
        let mut d = Design {
            path,
            text: text.to_string(),
            file,
            scenario: None,
            errors: Vec::new(),
            error_fields: Vec::new(),
            run: None,
            colour,
            disk_mtime: None,
            dirty: false,
        };
        d.check_text(true);
        Ok(d)
    }

    /// A design with nothing to run (when even the built-in scenario cannot be read).
    pub fn empty(colour: Color32) -> Design {
        Design {
            path: None,
            text: String::new(),
            file: crate::scenario::ScenarioFile::placeholder(),
            scenario: None,
            errors: vec!["no scenario".into()],
            error_fields: Vec::new(),
            run: None,
            colour,
            disk_mtime: None,
            dirty: false,
        }
    }

    /// The name shown in tabs and legends.
    pub fn name(&self) -> &str {
        &self.file.name
    }

    /// What the editor edits: the last text that parsed.
    pub fn file(&self) -> &ScenarioFile {
        &self.file
    }

    /// The last version that passed validation (what runs).
    pub fn scenario(&self) -> Option<&Scenario> {
        self.scenario.as_ref()
    }

    /// Why the current text or edit is rejected ("file:line:col: message" each).
    pub fn errors(&self) -> &[String] {
        &self.errors
    }

    /// The run in progress, if the scenario is valid.
    pub fn run(&self) -> Option<&LiveRun> {
        self.run.as_ref()
    }

    /// Its colour in overlays.
    pub fn colour(&self) -> Color32 {
        self.colour
    }

    /// What the scenario is about, as paragraphs to read above the plots: its
    /// `description`, then its opening comment ("What it shows... Try: ..."), each
    /// paragraph on one line.
    pub fn story(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.file.description.trim().is_empty() {
            out.push(self.file.description.trim().to_string());
        }
        let comment = leading_comment(&self.text);
        let mut para = Vec::new();
        for line in comment.lines() {
            let t = line.trim_start().trim_start_matches('/').trim();
            if t.is_empty() {
                if !para.is_empty() {
                    out.push(para.join(" "));
                    para.clear();
                }
            } else {
                para.push(t);
            }
        }
        if !para.is_empty() {
            out.push(para.join(" "));
        }
        out
    }

    /// Its RON source as last loaded, saved or produced by an edit.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where it was loaded from or last saved to (None: never saved).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Whether it was edited since it was loaded or saved.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// A copy named `"<name> (copy)"`, not saved anywhere, to change and compare (None if
    /// the source no longer parses, which a design's text always does).
    pub fn duplicate(&self) -> Option<Design> {
        let mut copy = Design::from_text(&self.text, None, self.colour).ok()?;
        let mut f = copy.file.clone();
        f.name = format!("{} (copy)", f.name);
        copy.set_file(f);
        copy.dirty = false;
        Some(copy)
    }

    /// Checks `self.text` exactly as a file on disk is checked and, if valid, makes it
    /// what runs; returns whether what runs changed. `typed`: the user wrote the text
    /// (the RON tab, the file on disk), so the parsed fields replace `file` and errors
    /// carry their file:line:col; otherwise the form wrote it from `file`, which stays as
    /// the user set it, and errors are bare messages about text the user never saw.
    fn check_text(&mut self, typed: bool) -> bool {
        let source = source_for(&self.text, self.path.as_deref());
        let before = self.scenario.as_ref().map(|s| s.file.clone());
        match parse(&source).and_then(|file| {
            if typed {
                self.file = file.clone();
            }
            Scenario::validate(file, &source)
        }) {
            Ok(s) => {
                let changed = before.as_ref() != Some(&s.file);
                self.scenario = Some(s);
                self.errors.clear();
                self.error_fields.clear();
                changed
            }
            Err(e) => {
                self.error_fields =
                    e.0.iter()
                        .map(|e| e.field.as_ref().map(ToString::to_string))
                        .collect();
                self.errors = if typed {
                    e.0.iter().map(ToString::to_string).collect()
                } else {
                    e.0.iter().map(|e| e.message.clone()).collect()
                };
                false
            }
        }
    }

    /// Replaces the source with `text` (typed in the RON editor, or the file changed on
    /// disk). Returns whether what runs changed (valid and different); if it is not valid,
    /// the last valid version keeps running.
    pub fn set_text(&mut self, text: String) -> bool {
        self.text = text;
        self.dirty = true;
        self.check_text(true)
    }

    /// Takes the editor's `file`: writes it as RON and checks that text exactly as a
    /// file on disk is checked, so a value the checks reject gets the same message.
    /// Returns whether it is valid (and differs from what runs).
    pub fn set_file(&mut self, file: ScenarioFile) -> bool {
        let (base, text) = match (
            crate::scenario::to_ron(&self.file),
            crate::scenario::to_ron(&file),
        ) {
            (Ok(b), Ok(t)) => (b, t),
            (Err(e), _) | (_, Err(e)) => {
                self.errors = vec![format!("cannot write the scenario: {e}")];
                self.error_fields.clear();
                return false;
            }
        };
        // The author's text with only the changed values rewritten, so comments, layout
        // and omitted fields stay (and Save writes what they wrote plus the change); if
        // the change cannot be placed in their text, the whole file written anew, after
        // its opening comment.
        let patched = crate::scenario::span::patch(&self.text, &base, &text)
            .filter(|t| parse(&source_for(t, self.path.as_deref())).ok().as_ref() == Some(&file));
        let text = patched.unwrap_or_else(|| format!("{}{text}\n", leading_comment(&self.text)));
        // Keep what the user typed on screen even when it is rejected.
        self.file = file;
        self.text = text;
        self.dirty = true;
        self.check_text(false)
    }

    /// Starts (or restarts) the run from zero with `seed`.
    pub fn restart(&mut self, seed: u64) {
        self.run = match &self.scenario {
            Some(s) => match LiveRun::new(s, seed) {
                Ok(r) => Some(r),
                Err(e) => {
                    self.errors = vec![e.to_string()];
                    self.error_fields.clear();
                    None
                }
            },
            None => None,
        };
    }

    /// Writes the source to `path` atomically (temporary file, then rename).
    pub fn save_to(&mut self, path: &Path) -> Result<(), SaveError> {
        crate::metrics::output::write_atomic(path, self.text.as_bytes()).map_err(|source| {
            SaveError {
                path: path.display().to_string(),
                source,
            }
        })?;
        self.path = Some(path.to_path_buf());
        self.disk_mtime = mtime(path);
        self.dirty = false;
        Ok(())
    }

    /// If the file changed on disk since it was read or saved, rereads it. Returns
    /// whether the running version changed.
    pub fn reload_if_changed(&mut self) -> bool {
        let Some(path) = self.path.clone() else {
            return false;
        };
        let now = mtime(&path);
        if now.is_none() || now == self.disk_mtime {
            return false;
        }
        self.disk_mtime = now;
        match std::fs::read_to_string(&path) {
            Ok(text) if text != self.text => {
                let changed = self.set_text(text);
                self.dirty = false;
                changed
            }
            _ => false,
        }
    }
}

/// The comment lines (and blank lines) a source opens with.
fn leading_comment(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("//") || t.is_empty() {
            out.push_str(line);
            out.push('\n');
        } else {
            break;
        }
    }
    out
}

fn source_for(text: &str, path: Option<&Path>) -> Source {
    match path {
        Some(p) => Source {
            label: p.display().to_string(),
            text: text.to_string(),
            dir: p.parent().map(Path::to_path_buf).unwrap_or_default(),
        },
        None => Source::inline("(unsaved)", text),
    }
}

fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"// A small design.
(name: "small", duration_secs: 600,
    workload: (rate: Constant(per_sec: 10), classes: [(name: "a", demand: Exponential(mean_secs: 0.01))]),
    pools: [(name: "w", instance: "m5.large", size: (min: 1, max: 3))])"#;

    #[test]
    fn a_form_edit_keeps_the_authors_text_and_changes_one_value() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/monday-spike.ron");
        let original = std::fs::read_to_string(&path).unwrap();
        let mut d = Design::open(&path, PALETTE[0]).unwrap();
        let mut f = d.file.clone();
        f.pools[0].size.max = 41;
        assert!(d.set_file(f.clone()));
        // The same lines, comments and omitted fields as the author wrote them, with only
        // the maximum changed (the file has "max: 40" once).
        assert_eq!(d.text().lines().count(), original.lines().count());
        assert_eq!(d.text(), original.replacen("max: 40", "max: 41", 1));
        assert!(!d.text().contains("r#None"));
        // A field the author omitted, switched on in the form, is added where it belongs.
        f.pools[0].failures = Some(crate::scenario::Failures { mttf_hours: 12.0 });
        assert!(d.set_file(f.clone()));
        assert!(
            d.text()
                .contains("        ],\n        failures: (mttf_hours: 12.0),\n    )],"),
            "{}",
            d.text()
        );
        assert_eq!(d.text().lines().count(), original.lines().count() + 1);
        let source = source_for(d.text(), d.path());
        assert_eq!(parse(&source).unwrap(), f);
    }

    #[test]
    fn the_story_is_the_description_then_the_opening_comment() {
        let d = Design::from_text(
            "// Title line.\n//\n// What it shows: a and\n// b.\n\n// Try: c.\n(name: \"s\", description: \"About s.\", duration_secs: 60,\n workload: (rate: Constant(per_sec: 1), classes: [(name: \"a\", demand: Exponential(mean_secs: 0.01))]),\n pools: [(name: \"w\", instance: \"m5.large\", size: (min: 1, max: 1))])",
            None,
            PALETTE[0],
        )
        .unwrap();
        assert_eq!(
            d.story(),
            vec![
                "About s.",
                "Title line.",
                "What it shows: a and b.",
                "Try: c."
            ]
        );
    }

    #[test]
    fn an_edit_the_checks_reject_keeps_the_last_valid_version_running() {
        let mut d = Design::from_text(SMALL, None, PALETTE[0]).unwrap();
        assert!(d.errors.is_empty());
        let mut f = d.file.clone();
        f.pools[0].size.min = 5;
        assert!(!d.set_file(f));
        // The checker's own words, and what the user typed stays on screen.
        assert_eq!(
            d.errors,
            vec!["size: min 5 is greater than max 3".to_string()]
        );
        assert_eq!(d.file.pools[0].size.min, 5);
        assert_eq!(d.scenario.as_ref().unwrap().file.pools[0].size.min, 1);
        // A valid edit replaces what runs.
        let mut f = d.file.clone();
        f.pools[0].size.min = 2;
        f.pools[0].size.initial = 2;
        assert!(d.set_file(f), "{:?}", d.errors);
        assert!(d.errors.is_empty());
        assert_eq!(d.scenario.as_ref().unwrap().file.pools[0].size.min, 2);
    }

    #[test]
    fn save_writes_the_source_and_a_change_on_disk_is_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.ron");
        std::fs::write(&path, SMALL).unwrap();
        let mut d = Design::open(&path, PALETTE[0]).unwrap();
        assert!(!d.reload_if_changed(), "nothing changed yet");
        let mut f = d.file.clone();
        f.duration_secs = 1200.0;
        assert!(d.set_file(f));
        d.save_to(&path).unwrap();
        assert!(!d.dirty);
        let saved = std::fs::read_to_string(&path).unwrap();
        assert!(saved.contains("duration_secs: 1200.0"), "{saved}");
        // The opening comment is kept through form edits.
        assert!(saved.starts_with("// A small design.\n"), "{saved}");
        // Someone else edits the file (a later mtime): the design follows it.
        let edited = saved.replace("duration_secs: 1200.0", "duration_secs: 900.0");
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&path, edited).unwrap();
        let later = SystemTime::now() + std::time::Duration::from_secs(2);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert!(d.reload_if_changed());
        assert_eq!(d.scenario.as_ref().unwrap().file.duration_secs, 900.0);
        // An unwritable path is an error with the path in it, and the design keeps its
        // own path.
        let err = d
            .save_to(&dir.path().join("no/such/dir/x.ron"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no/such/dir/x.ron"), "{err}");
        assert_eq!(d.path.as_deref(), Some(path.as_path()));
    }
}
