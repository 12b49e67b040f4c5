//! Where a frame's wall time goes (`gui --frame-stats`).

use std::time::{Duration, Instant};

/// Wall time per frame, split into the simulation (`logic`) and building the UI (`ui`);
/// the rest of a frame is rendering and waiting for the display.
#[derive(Debug)]
pub struct FrameStats {
    since: Instant,
    pub(super) frames: u32,
    pub(super) logic: Duration,
    pub(super) ui: Duration,
}

impl Default for FrameStats {
    fn default() -> Self {
        FrameStats {
            since: Instant::now(),
            frames: 0,
            logic: Duration::ZERO,
            ui: Duration::ZERO,
        }
    }
}

impl FrameStats {
    /// Prints and restarts the figures once 5 s have passed, with the simulated seconds
    /// per wall second achieved (`sim_speed`).
    pub(super) fn report(&mut self, sim_speed: f64) {
        let wall = self.since.elapsed();
        if wall < Duration::from_secs(5) || self.frames == 0 {
            return;
        }
        let per = |d: Duration| d.as_secs_f64() * 1e3 / f64::from(self.frames);
        eprintln!(
            "frames: {:.1} fps; per frame {:.1} ms: simulation {:.1} ms, ui {:.1} ms, rendering and waiting {:.1} ms; speed achieved {:.0} simulated s per s",
            f64::from(self.frames) / wall.as_secs_f64(),
            wall.as_secs_f64() * 1e3 / f64::from(self.frames),
            per(self.logic),
            per(self.ui),
            (wall.as_secs_f64() * 1e3 / f64::from(self.frames) - per(self.logic) - per(self.ui))
                .max(0.0),
            sim_speed,
        );
        *self = FrameStats::default();
    }
}
