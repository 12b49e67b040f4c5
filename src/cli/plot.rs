//! `scalesim plot DIR`: a run's or a batch's charts without a screen, as SVG or PNG.

use std::path::PathBuf;

use anyhow::anyhow;
use clap::Args;

use super::Failure;

/// Arguments of `scalesim plot`.
#[derive(Args, Debug)]
pub struct PlotArgs {
    /// A run's output folder (with series.csv) or a batch's (with bands.csv).
    pub dir: PathBuf,
    /// The chart to write, .svg or .png (default: DIR/plot.svg).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub(super) fn run(a: PlotArgs) -> Result<(), Failure> {
    let out = a.out.unwrap_or_else(|| a.dir.join("plot.svg"));
    let figure = crate::plot::load(&a.dir).map_err(|e| Failure::Input(anyhow!(e)))?;
    write(&figure, &out)?;
    println!("{}", out.display());
    Ok(())
}

/// Writes `figure` to `out`: a folder that is not there or a file name without .svg or
/// .png is the user's mistake (exit 2).
pub(super) fn write(figure: &crate::plot::Figure, out: &std::path::Path) -> Result<(), Failure> {
    use crate::plot::PlotError;
    crate::plot::write(figure, out).map_err(|e| match e {
        PlotError::Draw(_) => Failure::Internal(anyhow!(e)),
        _ => Failure::Input(anyhow!(e)),
    })
}
