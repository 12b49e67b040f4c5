//! The command line: `scalesim check` accepts every shipped scenario, and bad input of
//! every kind gives a clear message on stderr and exit code 2 — never a panic — with
//! `file:line:col` pointing at the problem when it is in a file.

use std::path::{Path, PathBuf};

use super::common::*;

/// Asserts exit code 2, no panic, and returns stderr.
fn fails_with_input_error(args: &[&str]) -> String {
    let o = scalesim(args);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(
        o.status.code(),
        Some(2),
        "scalesim {args:?} should exit with 2\nstdout: {out}\nstderr: {err}"
    );
    for stream in [&out, &err] {
        assert!(
            !stream.contains("panicked"),
            "scalesim {args:?} panicked:\n{stream}"
        );
        assert!(
            !stream.contains("RUST_BACKTRACE"),
            "scalesim {args:?}:\n{stream}"
        );
    }
    assert!(
        !err.trim().is_empty(),
        "scalesim {args:?}: no message on stderr"
    );
    err
}

/// The `line:col` right after `file:` in `message`, if any.
fn location(message: &str, file: &str) -> Option<(usize, usize)> {
    let at = message.find(&format!("{file}:"))? + file.len() + 1;
    let rest = &message[at..];
    let mut parts = rest.splitn(3, ':');
    let line = parts.next()?.parse().ok()?;
    let col = parts.next()?.parse().ok()?;
    Some((line, col))
}

/// A valid scenario, one item per line so a mistake's line is known:
/// line 4 `duration_secs`, 6 `rate`, 11 `instance`, 12 `size`.
const GOOD: &str = r#"// A scenario with (at most) one mistake.
(
    name: "cli",
    duration_secs: 60,
    workload: (
        rate: Constant(per_sec: 5),
        classes: [(name: "page", demand: Exponential(mean_secs: 0.02))],
    ),
    pools: [(
        name: "web",
        instance: "m5.large",
        size: (min: 2, max: 4),
    )],
)
"#;

#[test]
fn location_parsing_helper_works() {
    assert_eq!(
        location("error: a/b.ron:12:7: oops", "a/b.ron"),
        Some((12, 7))
    );
    assert_eq!(location("error: a/b.ron: cannot read", "a/b.ron"), None);
}

#[test]
fn bad_scenario_files_are_reported_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    // (file name, the edit, the line the message must point at, words it must contain)
    type Case<'a> = (&'a str, (&'a str, &'a str), usize, &'a [&'a str]);
    let cases: [Case; 8] = [
        (
            "unknown-field.ron",
            (
                "    duration_secs: 60,\n",
                "    duration_secs: 60,\n    colour: \"red\",\n",
            ),
            5,
            &["colour"],
        ),
        (
            "wrong-type.ron",
            ("duration_secs: 60", "duration_secs: \"sixty\""),
            4,
            &["float"],
        ),
        (
            "negative-rate.ron",
            ("per_sec: 5", "per_sec: -5"),
            6,
            &["-5", "rate"],
        ),
        (
            "min-above-max.ron",
            ("min: 2, max: 4", "min: 5, max: 4"),
            12,
            &["min 5", "max 4"],
        ),
        (
            "unknown-instance.ron",
            ("\"m5.large\"", "\"m9.huge\""),
            11,
            &["unknown instance type", "m9.huge", "m5.large"],
        ),
        (
            "missing-comma.ron",
            ("duration_secs: 60,", "duration_secs: 60"),
            5,
            &["comma"],
        ),
        (
            "bad-time.ron",
            (
                "        size: (min: 2, max: 4),\n",
                "        size: (min: 2, max: 4),\n        schedule: [(at: \"mon 25:00\", desired: 3)],\n",
            ),
            13,
            &["mon 25:00", "expected a time"],
        ),
        (
            "zero-workers.ron",
            (
                "        size: (min: 2, max: 4),\n",
                "        size: (min: 2, max: 4),\n        workers: 0,\n",
            ),
            13,
            &["workers"],
        ),
    ];
    for (name, (from, to), line, words) in cases {
        assert!(GOOD.contains(from), "{name}: the edit does not apply");
        let path = dir.path().join(name);
        std::fs::write(&path, GOOD.replacen(from, to, 1)).unwrap();
        let p = path.to_str().unwrap();
        for args in [vec!["run", p, "--out", out, "--quiet"], vec!["check", p]] {
            let err = fails_with_input_error(&args);
            let Some((l, col)) = location(&err, p) else {
                panic!(
                    "{name} ({}): the message does not name {p}:line:col:\n{err}",
                    args[0]
                );
            };
            assert_eq!(l, line, "{name} ({}): wrong line in\n{err}", args[0]);
            assert!(col >= 1, "{name}: column {col}");
            for w in words {
                assert!(
                    err.contains(w),
                    "{name} ({}): the message should mention {w:?}:\n{err}",
                    args[0]
                );
            }
        }
        assert!(
            !Path::new(out).exists(),
            "{name}: nothing is written for a bad scenario"
        );
    }
    // The good file itself is fine (so the failures above come from the edits).
    let good = dir.path().join("good.ron");
    std::fs::write(&good, GOOD).unwrap();
    let o = scalesim(&["run", good.to_str().unwrap(), "--out", out, "--quiet"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(Path::new(out).join("series.csv").exists());
}

#[test]
fn bad_command_lines_are_reported_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.ron");
    std::fs::write(&good, GOOD).unwrap();
    let g = good.to_str().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let missing = dir.path().join("no-such-file.ron");
    let m = missing.to_str().unwrap();

    // A missing file: named, with the reason.
    let err = fails_with_input_error(&["run", m, "--out", o]);
    assert!(err.contains(m) && err.contains("cannot read"), "{err}");
    let err = fails_with_input_error(&["check", m]);
    assert!(err.contains(m), "{err}");

    // An output directory that cannot be created: named, before any simulation.
    let err = fails_with_input_error(&["run", g, "--out", "/proc/forbidden/x"]);
    assert!(err.contains("/proc/forbidden/x"), "{err}");

    // Bad --duration values: the flag and the value are named.
    for bad in ["-1", "0", "NaN", "inf", "abc"] {
        let err = fails_with_input_error(&["run", g, "--out", o, "--duration", bad]);
        assert!(
            err.contains("--duration") && err.contains(bad),
            "--duration {bad}:\n{err}"
        );
    }
    let err = fails_with_input_error(&["run", g, "--out", o, "--duration=-1"]);
    assert!(err.contains("> 0"), "{err}");

    // Bad seeds (a seed is a whole number >= 0).
    for bad in ["-3", "abc", "1.5"] {
        let err = fails_with_input_error(&["run", g, "--out", o, "--seed", bad]);
        assert!(err.contains(bad), "--seed {bad}:\n{err}");
    }

    // A directory where a file was expected.
    let err = fails_with_input_error(&["run", dir.path().to_str().unwrap(), "--out", o]);
    assert!(err.contains("cannot read"), "{err}");

    // An unknown flag, an unknown subcommand, a missing argument.
    let err = fails_with_input_error(&["run", g, "--frobnicate"]);
    assert!(err.contains("--frobnicate"), "{err}");
    let err = fails_with_input_error(&["frobnicate"]);
    assert!(err.contains("frobnicate"), "{err}");
    let err = fails_with_input_error(&["run"]);
    assert!(err.to_lowercase().contains("file"), "{err}");
    let err = fails_with_input_error(&["check"]);
    assert!(err.to_lowercase().contains("file"), "{err}");
    assert!(!out.exists(), "nothing was written");

    // The app: a missing file and a bad speed are refused before any window opens.
    let err = fails_with_input_error(&["gui", m]);
    assert!(
        err.contains(m) && err.contains("no such scenario file"),
        "{err}"
    );
    for bad in ["0", "-5", "fast"] {
        let err = fails_with_input_error(&["gui", g, "--speed", bad]);
        assert!(err.contains("--speed") && err.contains(bad), "{err}");
    }

    // --help and --version are not errors.
    for args in [["--help"], ["--version"]] {
        let r = scalesim(&args);
        assert_eq!(r.status.code(), Some(0), "{args:?}");
        assert!(!text(&r.stdout).is_empty());
    }
}

#[test]
fn check_accepts_every_shipped_scenario() {
    let files = ron_files_under(&repo_path("scenarios"));
    assert!(files.len() >= 8, "{files:?}");
    let args: Vec<&str> = std::iter::once("check")
        .chain(files.iter().map(|f| f.to_str().unwrap()))
        .collect();
    let o = scalesim(&args);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(
        o.status.code(),
        Some(0),
        "scalesim check failed:\n{out}\n{err}"
    );
    // One "ok" line per file.
    for f in &files {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{}: ok", f.display())));
        assert!(line.is_some(), "no ok line for {}:\n{out}", f.display());
    }
    // And one by one, so a file that only fails alone cannot hide.
    for f in &files {
        let o = scalesim(&["check", f.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}: {}",
            f.display(),
            text(&o.stderr)
        );
    }
    // A good file next to a bad one: exit 2, the bad one reported, the good one ok.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.ron");
    std::fs::write(&bad, GOOD.replace("per_sec: 5", "per_sec: -5")).unwrap();
    let first = files[0].to_str().unwrap();
    let o = scalesim(&["check", first, bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stdout).contains(&format!("{first}: ok")));
    assert!(text(&o.stderr).contains("1 of 2"), "{}", text(&o.stderr));
}

#[test]
fn an_output_directory_that_exists_but_cannot_be_written_fails_before_the_run() {
    // monday-spike simulates 18 hours: a refusal that comes "before the run" comes with
    // no simulation at all, so stdout stays empty and nothing is half written.
    let spike = repo_path("scenarios/monday-spike.ron");
    let spike = spike.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("read-only");
    std::fs::create_dir(&ro).unwrap();
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
    std::fs::set_permissions(&ro, perms).unwrap();
    // Root ignores permission bits; /sys refuses new files even to root. Test every
    // directory that really is unwritable here (at least one is, on Linux).
    let unwritable: Vec<PathBuf> = [ro.clone(), PathBuf::from("/sys")]
        .into_iter()
        .filter(|d| d.is_dir() && std::fs::write(d.join(".probe"), b"").is_err())
        .collect();
    assert!(
        !unwritable.is_empty(),
        "no unwritable directory to test with"
    );
    for d in &unwritable {
        let o = d.to_str().unwrap();
        let err = fails_with_input_error(&["run", spike, "--out", o]);
        assert!(
            err.contains("cannot write in the output directory") && err.contains(o),
            "{err}"
        );
    }
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&ro, perms).unwrap();
}

#[test]
fn the_readme_example_is_what_a_run_prints() {
    // README.md shows what `scalesim run scenarios/monday-spike.ron` prints. Same scenario
    // and seed, same figures: every line of that block must be the run's line, except that
    // a line ending in "..." (the engine's wall time) only has to begin the same way.
    let readme = std::fs::read_to_string(repo_path("README.md")).unwrap();
    let start = readme
        .find("What the Monday spike prints")
        .expect("README.md shows the Monday spike's output");
    let block: Vec<&str> = readme[start..]
        .lines()
        .skip_while(|l| !l.starts_with("    "))
        .take_while(|l| l.starts_with("    ") || l.is_empty())
        .filter(|l| !l.is_empty())
        .map(|l| &l[4..])
        .collect();
    assert!(block.len() >= 8, "README block too short: {block:?}");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let spike = repo_path("scenarios/monday-spike.ron");
    let o = scalesim(&[
        "run",
        spike.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let printed = text(&o.stdout);
    let lines: Vec<&str> = printed.lines().collect();
    for (i, want) in block.iter().enumerate() {
        let got = lines.get(i).copied().unwrap_or("<missing>");
        let same = match want.strip_suffix("...") {
            Some(prefix) => got.starts_with(prefix),
            None => got == *want,
        };
        assert!(
            same,
            "README.md line {} of the Monday spike's output is stale:\n  README: {want}\n  run:    {got}\n\nthe run printed:\n{printed}",
            i + 1
        );
    }
}

#[test]
fn warnings_reach_stderr_without_failing_the_command() {
    // A trace of two 30 s buckets (60 s) under a 120 s run: `check` and `run` warn on
    // stderr and still succeed; `run --quiet` prints nothing.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.csv"), "time_secs,count\n0,300\n30,300\n").unwrap();
    let file = dir.path().join("short.ron");
    std::fs::write(
        &file,
        GOOD.replace("Constant(per_sec: 5)", r#"Trace(file: "t.csv")"#)
            .replace("duration_secs: 60", "duration_secs: 120"),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let o = scalesim(&["check", f]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    // The warning points at the rate, on line 6 of GOOD.
    assert!(err.starts_with(&format!("warning: {f}:6:")), "{err}");
    assert!(err.contains("covers 60 s of the run"), "{err}");
    assert!(err.contains("the run lasts 120 s"), "{err}");
    assert!(text(&o.stdout).contains(&format!("{f}: ok")));
    let out = dir.path().join("out");
    let o = scalesim(&["run", f, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("warning: "), "{}", text(&o.stderr));
    let o = scalesim(&["run", f, "--quiet", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(text(&o.stderr), "");
}
