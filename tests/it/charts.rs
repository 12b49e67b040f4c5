//! Charts without a screen (issue 12): `scalesim plot` and `run --plot` draw the app's
//! panels from a run's series.csv or a batch's bands.csv, as SVG or PNG.

use super::common::*;

/// A short M/M/c run with an autoscaled pool, so every panel has something to show.
fn scenario(dir: &std::path::Path) -> std::path::PathBuf {
    let file = dir.join("short.ron");
    std::fs::write(
        &file,
        r#"(
            name: "short",
            duration_secs: 1800,
            interval_secs: 60,
            seed: 4,
            slo: (latency_secs: 0.5, percentile: 99),
            workload: (
                rate: Ramp(from_per_sec: 20, to_per_sec: 120, start: "+0s", ramp_secs: 1800),
                classes: [(name: "page", demand: Exponential(mean_secs: 0.05))],
            ),
            pools: [(name: "web", instance: "m5.large", size: (min: 2, max: 8),
                     autoscale: TargetTracking(metric: Cpu, target: 0.6))],
        )"#,
    )
    .unwrap();
    file
}

#[test]
fn run_plot_draws_every_panel_of_the_app_as_svg_and_plot_gives_a_png() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path());
    let out = dir.path().join("run");
    let o = scalesim(&[
        "run",
        file.to_str().unwrap(),
        "--plot",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("plot.svg"), "{}", text(&o.stdout));
    let svg = std::fs::read_to_string(out.join("plot.svg")).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..100.min(svg.len())]);
    for title in scalesim::plot::PANELS.iter().map(|p| p.title) {
        // plotters writes each text on its own line.
        assert!(
            svg.contains(&format!(">\n{title}\n</text>")),
            "no panel {title}"
        );
    }
    // The objective is drawn on the latency panel, the run named in the title.
    assert!(svg.contains("SLO 0.5 s") && svg.contains(">\nshort\n<"));
    // The arrivals line in the app's blue (66, 135, 245).
    assert!(svg.contains("#4287F5"), "no blue line");

    let png = dir.path().join("chart.png");
    let o = scalesim(&[
        "plot",
        out.to_str().unwrap(),
        "--out",
        png.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1600, 1900));
    // Lines were drawn: some pixels are the arrivals' blue, and most are white.
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(3).collect();
    let blue = pixels.iter().filter(|p| **p == [66, 135, 245]).count();
    let white = pixels.iter().filter(|p| **p == [255, 255, 255]).count();
    assert!(blue > 500, "{blue} blue pixels");
    assert!(white > pixels.len() / 2, "{white} white pixels");
}

#[test]
fn a_batch_plot_draws_the_median_in_its_band() {
    // Three replications: each line is the median, with a translucent band from the 5th
    // to the 95th percentile of the runs.
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path());
    let out = dir.path().join("batch");
    let o = scalesim(&[
        "batch",
        file.to_str().unwrap(),
        "--replications",
        "3",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = scalesim(&["plot", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let svg = std::fs::read_to_string(out.join("plot.svg")).unwrap();
    assert!(svg.contains("median of 3 replications"), "no subtitle");
    // Time on the simulated clock, as for a run (the scenario starts Monday 00:00).
    assert!(
        svg.contains("simulated clock") && svg.contains("Mon 00:"),
        "no clock"
    );
    assert!(svg.matches("<polygon").count() >= 8, "no bands");
    assert!(
        svg.contains(r#"<polygon opacity="0.18""#),
        "bands are not translucent"
    );
    // A run written to the same folder afterwards is what the folder shows now.
    let o = scalesim(&[
        "run",
        file.to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = scalesim(&["plot", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let svg = std::fs::read_to_string(out.join("plot.svg")).unwrap();
    assert!(svg.contains("one run, seed 4"), "the older batch was drawn");
    // One replication has no spread: no bands, and plot says what to do instead.
    let one = dir.path().join("one");
    let o = scalesim(&[
        "batch",
        file.to_str().unwrap(),
        "--quiet",
        "--out",
        one.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let bands = std::fs::read_to_string(one.join("bands.csv")).unwrap();
    assert_eq!(bands.lines().count(), 1, "{bands}");
    let o = scalesim(&["plot", one.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("--replications 2"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn plot_input_errors_exit_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let o = scalesim(&["plot", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("no series.csv"),
        "{}",
        text(&o.stderr)
    );
    std::fs::write(
        dir.path().join("series.csv"),
        "time_secs,arrivals_per_sec\n0,1\n60,2\n",
    )
    .unwrap();
    let o = scalesim(&[
        "plot",
        dir.path().to_str().unwrap(),
        "--out",
        dir.path().join("chart.txt").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains(".svg or .png"),
        "{}",
        text(&o.stderr)
    );
    let o = scalesim(&[
        "plot",
        dir.path().to_str().unwrap(),
        "--out",
        "/nonexistent/dir/chart.svg",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("cannot write"),
        "{}",
        text(&o.stderr)
    );
    assert!(!text(&o.stderr).contains("panicked"));
}

#[cfg(feature = "gui")]
#[test]
fn the_charts_have_the_apps_panels_in_its_order() {
    let titles: Vec<&str> = scalesim::plot::PANELS.iter().map(|p| p.title).collect();
    assert_eq!(titles, scalesim::app::plots::titles());
}
