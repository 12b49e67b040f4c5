//! Export from the app: the plots as PNG (a screenshot of the frame, cropped to the
//! plots) and each design's series as CSV, both written atomically.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use egui::{ColorImage, Rect};

use super::design::Design;
use crate::metrics::output::{series_csv, services_csv, write_atomic};

/// Where exports go by default: `out/app/` under the working directory.
pub fn default_export_dir() -> PathBuf {
    PathBuf::from("out").join("app")
}

/// Where exports go, and the PNG export waiting for its screenshot.
pub struct ExportState {
    /// The directory exports are written to.
    pub dir: PathBuf,
    /// Where the view to export (the plots, the topology...) was drawn last frame (points).
    pub plots_rect: Option<Rect>,
    /// Set when a PNG is asked for: the frame captured lays every shown plot out to fit
    /// the window instead of in a scroll area (the view draws it, then clears it).
    pub fit_all: bool,
    /// The file name the captured frame was drawn for (the scenario and the moment).
    pub png_name: Option<String>,
    /// Where the backend leaves the screenshot it was asked for.
    arrived: Arc<Mutex<Option<Arc<ColorImage>>>>,
}

impl Default for ExportState {
    fn default() -> Self {
        ExportState {
            dir: default_export_dir(),
            plots_rect: None,
            fit_all: false,
            png_name: None,
            arrived: Arc::default(),
        }
    }
}

impl ExportState {
    /// Asks the backend for a screenshot of the next frame; it arrives as an event.
    pub fn request_png(&mut self, ctx: &egui::Context) {
        self.fit_all = true;
        self.png_name = None;
        let slot = Arc::clone(&self.arrived);
        let wake = ctx.clone();
        ctx.request_screenshot(move |image| {
            if let Ok(mut s) = slot.lock() {
                *s = Some(image);
            }
            wake.request_repaint();
        });
    }

    /// Saves the screenshot, if it has arrived, cropped to the plots.
    pub fn handle_screenshot(&mut self, ctx: &egui::Context, status: &mut Option<(String, bool)>) {
        let image = self.arrived.lock().ok().and_then(|mut s| s.take());
        let Some(image) = image else { return };
        let ppp = ctx.pixels_per_point();
        let cropped = match self.plots_rect {
            Some(r) => image.region(&r, Some(ppp)),
            None => (*image).clone(),
        };
        let name = self
            .png_name
            .take()
            .unwrap_or_else(|| format!("view-{}.png", stamp()));
        let path = self.dir.join(name);
        *status = Some(match write_png(&path, &cropped) {
            Ok(()) => (format!("plots saved to {}", path.display()), false),
            Err(e) => (format!("cannot save {}: {e}", path.display()), true),
        });
    }
}

/// Writes each design's series to `<dir>/<name>-series.csv` (and, with several services
/// or shards, their figures to `<name>-services.csv`); returns a status line.
pub fn export_csv(designs: &[Design], dir: &Path) -> (String, bool) {
    let mut written = Vec::new();
    for d in designs {
        let Some(run) = &d.run else { continue };
        let world = run.world();
        let rec = world.recorder();
        let mut files = vec![(
            "series",
            series_csv(rec.rows(), rec.pool_names(), world.clock()),
        )];
        // With several services (or shards), each one's figures too.
        if rec.pool_names().len() > 1 {
            files.push((
                "services",
                services_csv(
                    rec.rows(),
                    rec.pool_names(),
                    &rec.service_groups(),
                    world.clock(),
                ),
            ));
        }
        for (what, text) in files {
            let path = dir.join(format!("{}-{what}.csv", file_stem(d.name())));
            if let Err(e) = ensure_dir(&path).and_then(|()| write_atomic(&path, text.as_bytes())) {
                return (format!("cannot write {}: {e}", path.display()), true);
            }
            written.push(path.display().to_string());
        }
    }
    if written.is_empty() {
        ("nothing to export: no design runs".into(), true)
    } else {
        (format!("series saved to {}", written.join(", ")), false)
    }
}

/// Encodes `image` as PNG and writes it atomically.
pub fn write_png(path: &Path, image: &ColorImage) -> std::io::Result<()> {
    let [w, h] = image.size;
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, w as u32, h as u32);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(std::io::Error::other)?;
        let raw: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
        writer
            .write_image_data(&raw)
            .map_err(std::io::Error::other)?;
    }
    ensure_dir(path)?;
    write_atomic(path, &bytes)
}

fn ensure_dir(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => std::fs::create_dir_all(d),
        _ => Ok(()),
    }
}

/// The file an Export PNG of the plots writes: the designs' names and the moment shown,
/// as in `monday-spike-Mon-0930.png` (seconds only when they are not zero).
pub fn png_file_name(designs: &[&str], clock_label: &str) -> String {
    let at = clock_label
        .strip_suffix(":00")
        .unwrap_or(clock_label)
        .replace(':', "");
    let names: Vec<String> = designs.iter().map(|n| file_stem(n)).collect();
    let names = if names.is_empty() {
        "plots".to_string()
    } else {
        names.join("-vs-")
    };
    format!("{names}-{}.png", file_stem(&at.replace(' ', "-")))
}

/// A name safe in a file name.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Seconds since the epoch: distinct names for successive exports.
fn stamp() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_written_is_a_png_of_the_right_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.png");
        let img = ColorImage::new([3, 2], vec![egui::Color32::RED; 6]);
        write_png(&path, &img).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        // The PNG signature, then the IHDR chunk with width 3 and height 2 (big-endian).
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(&bytes[16..24], &[0, 0, 0, 3, 0, 0, 0, 2]);
    }

    #[test]
    fn a_plots_png_is_named_by_scenario_and_moment() {
        assert_eq!(
            png_file_name(&["monday-spike"], "Mon 09:30:00"),
            "monday-spike-Mon-0930.png"
        );
        assert_eq!(
            png_file_name(&["a", "b c"], "Tue 00:00:10"),
            "a-vs-b_c-Tue-000010.png"
        );
        assert_eq!(png_file_name(&[], "Mon 09:30:00"), "plots-Mon-0930.png");
    }

    #[test]
    fn names_become_safe_file_names() {
        assert_eq!(file_stem("monday spike (copy)"), "monday_spike__copy_");
    }
}
