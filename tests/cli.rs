//! Transcript tests (trycmd): every tool's visible behaviour, including every error
//! message. Cases live in `tests/cmd/<tool>/*.toml` with `.in/` fixture workspaces.
//! Run one tool's cases with `cargo test --test cli expand`.

use std::path::Path;
use std::process::Command;

/// Every tool, so a missing binary fails loudly (trycmd would skip its cases).
const TOOLS: &[(&str, &str)] = &[
    ("herd", env!("CARGO_BIN_EXE_herd")),
    ("herd-expand", env!("CARGO_BIN_EXE_herd-expand")),
    ("herd-submit", env!("CARGO_BIN_EXE_herd-submit")),
    ("herd-status", env!("CARGO_BIN_EXE_herd-status")),
    ("herd-stop", env!("CARGO_BIN_EXE_herd-stop")),
    ("herd-sh", env!("CARGO_BIN_EXE_herd-sh")),
    ("herd-tail", env!("CARGO_BIN_EXE_herd-tail")),
    ("herd-log", env!("CARGO_BIN_EXE_herd-log")),
    ("herd-res", env!("CARGO_BIN_EXE_herd-res")),
    ("herd-report", env!("CARGO_BIN_EXE_herd-report")),
    ("herd-init", env!("CARGO_BIN_EXE_herd-init")),
    ("herd-test", env!("CARGO_BIN_EXE_herd-test")),
];

/// The program to run for a tool: Cargo's run-time `CARGO_BIN_EXE_<name>` when set
/// (`make test-aarch64`'s `tests/qemu-runner` points it at a wrapper that runs the
/// aarch64 binary under qemu; trycmd's `default_bin_name` reads it too), else the
/// compile-time path.
fn exe(name: &str, built: &str) -> std::path::PathBuf {
    std::env::var_os(format!("CARGO_BIN_EXE_{name}")).map_or_else(|| built.into(), Into::into)
}

fn cases(tool: &str, dir: &str) {
    let t = trycmd::TestCases::new();
    t.default_bin_name(tool)
        // Deterministic environment: no SLURM limits query, no colour, fixed clock.
        .env("HERD_MAX_ARRAY_SIZE", "1001")
        .env("HERD_QUEUE_ROOM", "1000000")
        .env("HERD_SLURM_TIMEOUT", "5")
        .case(format!("tests/cmd/{dir}/*.toml"));
    if emulated() {
        // herd-submit --local re-executes its own (aarch64) binary as the runner, which
        // the host kernel cannot start without binfmt_misc; it is tested natively.
        t.skip(format!("tests/cmd/{dir}/local-runner-fails.toml"));
    }
}

/// Cases that also run `sh -c '…'` (pipelines, a look at the files afterwards), with
/// the built tools first on PATH and nothing else of the caller's PATH.
fn cases_with_sh(tool: &str, dir: &str) {
    // Under emulation the run-time paths are qemu wrappers, in a directory of their own.
    let herd = exe("herd", env!("CARGO_BIN_EXE_herd"));
    let bin_dir = herd
        .parent()
        .expect("the binaries' directory")
        .to_path_buf();
    let t = trycmd::TestCases::new();
    t.default_bin_name(tool)
        .register_bin("sh", Path::new("/bin/sh"))
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .env("HERD_MAX_ARRAY_SIZE", "1001")
        .env("HERD_QUEUE_ROOM", "1000000")
        .env("HERD_SLURM_TIMEOUT", "5")
        .env("QUADRATIC_DELAY", "0")
        .case(format!("tests/cmd/{dir}/*.toml"));
    if emulated() {
        // The front door runs the herd-* next to its own (aarch64) binary, which the
        // host kernel cannot start without binfmt_misc; it is tested natively.
        t.skip(format!("tests/cmd/{dir}/via-herd.toml"));
    }
}

/// True when the tools run under qemu (`make test-aarch64`; tests/qemu-runner sets it).
fn emulated() -> bool {
    std::env::var_os("HERD_TEST_EMULATED").is_some()
}

#[test]
fn herd() {
    if emulated() {
        eprintln!("skipped under emulation: herd execs its sibling binaries (tested natively)");
        return;
    }
    cases_with_sh("herd", "herd");
}

#[test]
fn init() {
    cases_with_sh("herd-init", "init");
}

#[test]
fn test() {
    cases_with_sh("herd-test", "test");
}

#[test]
fn expand() {
    cases("herd-expand", "expand");
}

#[test]
fn submit() {
    cases("herd-submit", "submit");
}

/// Chunking needs a small MaxArraySize; trycmd lets the suite-wide value win over a
/// case's own, so these cases run in a suite of their own.
#[test]
fn submit_chunked() {
    trycmd::TestCases::new()
        .default_bin_name("herd-submit")
        .env("HERD_MAX_ARRAY_SIZE", "10")
        .env("HERD_QUEUE_ROOM", "1000000")
        .env("HERD_SLURM_TIMEOUT", "5")
        .case("tests/cmd/submit-chunked/*.toml");
}

/// herd-submit against stand-ins for SLURM commands, for error paths the real test
/// cluster cannot produce (each case's fakebin/ says why).
#[test]
fn submit_stand_in() {
    cases_with_sh("herd-submit", "submit-stand-in");
}

#[test]
fn status() {
    cases("herd-status", "status");
}

#[test]
fn stop() {
    cases("herd-stop", "stop");
}

/// herd-stop against stand-ins for SLURM commands, for error paths the real test
/// cluster cannot produce (each case's fakebin/ says why).
#[test]
fn stop_stand_in() {
    cases_with_sh("herd-stop", "stop-stand-in");
}

#[test]
fn sh() {
    cases("herd-sh", "sh");
}

#[test]
fn tail() {
    cases("herd-tail", "tail");
}

#[test]
fn log() {
    cases("herd-log", "log");
}

#[test]
fn res() {
    cases("herd-res", "res");
}

#[test]
fn report() {
    cases("herd-report", "report");
}

#[test]
fn every_tool_exists_and_answers_help_and_version() {
    for (name, built) in TOOLS {
        assert!(Path::new(built).exists(), "{name} was not built");
        let path = &exe(name, built);
        let help = Command::new(path).arg("--help").output().unwrap();
        assert!(
            help.status.success() && help.stdout.starts_with(format!("{name}: ").as_bytes()),
            "{name} --help"
        );
        let v = Command::new(path).arg("--version").output().unwrap();
        let v = String::from_utf8(v.stdout).unwrap();
        assert!(
            v.starts_with(&format!("{name} {} (", env!("CARGO_PKG_VERSION"))),
            "{name} --version: {v}"
        );
        // With a native harness driving emulated tools (`make test-aarch64`), prove the
        // tools under test are the emulated build, not the harness's own.
        if let Some(target) = std::env::var_os("HERD_TEST_TOOLS_TARGET") {
            let target = target.to_string_lossy();
            assert!(
                v.trim_end().ends_with(&format!("({target})")),
                "{name} --version should name {target}: {v}"
            );
        }
    }
}

/// Every long option a tool's `--help` lists is documented in its man page.
#[test]
fn every_long_flag_is_in_the_man_page() {
    for (name, built) in TOOLS {
        let path = &exe(name, built);
        let help =
            String::from_utf8(Command::new(path).arg("--help").output().unwrap().stdout).unwrap();
        let page = std::fs::read_to_string(format!("man/{name}.1"))
            .unwrap_or_else(|_| panic!("man/{name}.1 is missing"));
        let page = page
            .replace("\\-", "-")
            .replace("\\fB", "")
            .replace("\\fR", "")
            .replace("\\fI", "");
        for flag in help
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|w| w.starts_with("--") && w.len() > 2)
        {
            assert!(
                page.contains(flag),
                "{name}: {flag} is in --help but not in man/{name}.1"
            );
        }
    }
}

/// What the tools do when stdin is a terminal, run on a pseudo-terminal by util-linux
/// `script` (Debian's bsdutils, always installed): herd-stop and `herd-log -` refuse
/// to wait for typed input, herd-submit takes every pending trial.
#[test]
fn stdin_on_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: script(1) is not installed");
        return;
    }
    let sq = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let tool = |name: &str| -> String {
        let built = TOOLS.iter().find(|(n, _)| *n == name).expect("a tool").1;
        sq(&exe(name, built).to_string_lossy())
    };
    let ws = std::env::temp_dir().join(format!("herd-tty-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&ws);
    std::fs::create_dir_all(&ws).unwrap();
    for f in ["hyperherd.yaml", "launch.sh"] {
        std::fs::copy(format!("tests/cmd/stop/no-manifest.in/{f}"), ws.join(f)).unwrap();
    }
    let on_tty = |cmd: String| -> (Option<i32>, String) {
        let o = Command::new("script")
            // A tool that wrongly waited for typed input would hang: bound it.
            .args(["-qec", &format!("timeout 20 {cmd}"), "/dev/null"])
            .current_dir(&ws)
            .env("HERD_MAX_ARRAY_SIZE", "1001")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n"),
        )
    };

    let (code, out) = on_tty(format!("{} .", tool("herd-stop")));
    assert_eq!(
        (code, out.as_str()),
        (
            Some(2),
            "herd-stop: error: name the trials: -i SPEC, --all, or trial records on stdin\n\
             try 'herd-stop --help'\n"
        )
    );

    std::fs::create_dir_all(ws.join(".hyperherd")).unwrap();
    let (code, out) = on_tty(format!(
        "env HYPERHERD_WORKSPACE=. HYPERHERD_TRIAL_ID=0 {} -",
        tool("herd-log")
    ));
    assert_eq!(
        (code, out.as_str()),
        (
            Some(2),
            "herd-log: error: '-' reads metrics from stdin, which is a terminal; pipe a JSON object in\n\
             try 'herd-log --help'\n"
        )
    );

    let (code, out) = on_tty(format!("{} --dry-run .", tool("herd-submit")));
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("#SBATCH --array=0-3"),
        "every pending trial is taken from a terminal:\n{out}"
    );
    let _ = std::fs::remove_dir_all(&ws);
}

/// Arguments that are not UTF-8 (a TOML transcript cannot hold them): a clear usage
/// error, never a panic.
#[test]
fn arguments_that_are_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"caf\xe9");
    let run = |name: &str, args: &[&std::ffi::OsStr]| {
        let built = TOOLS.iter().find(|(n, _)| *n == name).expect("a tool").1;
        let o = Command::new(exe(name, built))
            .args(args)
            .env("HYPERHERD_WORKSPACE", "/nonexistent")
            .env("HYPERHERD_TRIAL_ID", "0")
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    assert_eq!(
        run("herd-log", &["loss".as_ref(), bad]),
        (
            Some(2),
            "herd-log: error: the value of metric 'loss' is not valid UTF-8\n\
             try 'herd-log --help'\n"
                .to_string()
        )
    );
    assert_eq!(
        run("herd-expand", &["--pin".as_ref(), bad]),
        (
            Some(2),
            "herd-expand: error: argument is invalid unicode: \"caf\\xE9\"\n\
             try 'herd-expand --help'\n"
                .to_string()
        )
    );
}
