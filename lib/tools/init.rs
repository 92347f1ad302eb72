//! `herd-init [DIR]`: create a sweep: a commented `hyperherd.yaml` and an executable
//! `launch.sh`, or copies of given files.

use crate::cli;
use crate::config::CONFIG_FILE;
use crate::error::Error;
use crate::store::fs::write_atomic;
use std::ffi::OsString;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
herd-init: create a sweep: a commented hyperherd.yaml and an executable launch.sh

Usage: herd-init [OPTIONS] [DIR]

Arguments:
  [DIR]                 the directory of the sweep, created with its parents if
                        needed [default: .]

Options:
      --config FILE     copy FILE to DIR/hyperherd.yaml instead of writing the example
      --launcher FILE   copy FILE to DIR/launch.sh instead of writing the example
      --trainer STYLE   how the example launch.sh passes the settings on:
                        parse-overrides (the default: one argument, as
                        hyperherd.parse_overrides() reads it), hydra (one
                        name=value word each) or argparse (each word given two
                        leading dashes, as argparse options)
  -f, --force           replace an existing hyperherd.yaml or launch.sh
  -h, --help            print this help
  -V, --version         print the version

The example config sweeps one parameter, learning_rate, over 5 values and names the
sweep after DIR. It is valid as written: 'herd-expand DIR --check' accepts it. herd
calls the launcher as 'bash launch.sh \"<overrides>\"', one argument; the example
launch.sh runs 'python train.py' with them in the form --trainer chose, and shows
the other forms as comments. Nothing is written when either file exists and --force
is not given.

Examples:
  herd-init ~/sweeps/lr
  herd-init --trainer hydra ~/sweeps/lr
  herd-init --config ../old-sweep/hyperherd.yaml --launcher ../old-sweep/launch.sh new-sweep

Exit status: 0 ok, 1 a file could not be read or written, 2 usage error or a file
exists.
";

const CONFIG_TEMPLATE: &str = include_str!("../templates/hyperherd.yaml");
const LAUNCHER_TEMPLATE: &str = include_str!("../templates/launch.sh");
const LAUNCHER_FILE: &str = "launch.sh";

#[derive(Debug, Default)]
struct Args {
    dir: Option<PathBuf>,
    config: Option<PathBuf>,
    launcher: Option<PathBuf>,
    trainer: Option<String>,
    force: bool,
}

/// The forms of `--trainer`: how the example launcher passes the settings on.
const TRAINERS: [&str; 3] = ["parse-overrides", "hydra", "argparse"];

/// The example launcher with the line of `trainer` active and the others commented.
fn launcher_for(trainer: &str) -> String {
    let mut out = String::with_capacity(LAUNCHER_TEMPLATE.len());
    for line in LAUNCHER_TEMPLATE.lines() {
        match line.strip_prefix("#@").and_then(|l| l.split_once(' ')) {
            Some((style, cmd)) if style == trainer => out.push_str(cmd),
            Some((_, cmd)) => {
                out.push_str("#     ");
                out.push_str(cmd);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args::default();
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        cli::shared_flags!(arg, p, [&mut cli::Standard(USAGE)]);
        match arg {
            Long("config") => args.config = Some(p.value()?.into()),
            Long("launcher") => args.launcher = Some(p.value()?.into()),
            Long("trainer") => {
                let t = p.value()?.string()?;
                if !TRAINERS.contains(&t.as_str()) {
                    return Err(Error::usage(format!(
                        "--trainer '{t}': expected one of {}",
                        TRAINERS.join(", ")
                    )));
                }
                args.trainer = Some(t);
            }
            Short('f') | Long("force") => args.force = true,
            Value(v) if args.dir.is_none() => args.dir = Some(v.into()),
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(args)
}

/// Entry point of `herd-init`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    let args = parse_args(argv)?;
    let typed = args.dir.clone();
    let dir = typed.clone().unwrap_or_else(|| PathBuf::from("."));
    let config_path = shown(typed.as_deref(), CONFIG_FILE);
    let launcher_path = shown(typed.as_deref(), LAUNCHER_FILE);

    // Everything that can be refused is checked before anything is written.
    let config_src = args
        .config
        .as_deref()
        .map(|p| read_source(p, "--config"))
        .transpose()?;
    let launcher_src = args
        .launcher
        .as_deref()
        .map(|p| read_source(p, "--launcher"))
        .transpose()?;
    if dir.exists() && !dir.is_dir() {
        return Err(Error::invalid(format!(
            "{} exists and is not a directory",
            dir.display()
        )));
    }
    let existing: Vec<&PathBuf> = [&config_path, &launcher_path]
        .into_iter()
        .filter(|p| p.symlink_metadata().is_ok())
        .collect();
    if !existing.is_empty() && !args.force {
        let (what, verb, it) = match existing.as_slice() {
            [one] => (one.display().to_string(), "exists", "it"),
            _ => (
                format!("{} and {}", config_path.display(), launcher_path.display()),
                "exist",
                "them",
            ),
        };
        return Err(
            Error::invalid(format!("{what} already {verb}; nothing was written")).hint(format!(
                "pass --force to replace {it}, or choose another directory"
            )),
        );
    }

    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let abs = std::fs::canonicalize(&dir)
        .map_err(|e| Error::io(format!("resolving {}", dir.display()), e))?;
    let config_text = match config_src {
        Some(bytes) => bytes,
        None => {
            let base = abs
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            CONFIG_TEMPLATE
                .replace("__NAME__", &sweep_name(&base))
                .into_bytes()
        }
    };
    if args.trainer.is_some() && launcher_src.is_some() {
        return Err(Error::usage(
            "--trainer shapes the example launch.sh; it cannot go with --launcher",
        ));
    }
    let launcher_text = launcher_src.unwrap_or_else(|| {
        launcher_for(args.trainer.as_deref().unwrap_or(TRAINERS[0])).into_bytes()
    });
    let config_existed = config_path.exists();
    let launcher_existed = launcher_path.exists();
    write_atomic(&config_path, &config_text)?;
    write_atomic(&launcher_path, &launcher_text)?;
    make_executable(&launcher_path)?;
    warn_if_unsubmittable(&abs);

    let mut out = cli::stdout();
    let verb = |existed: bool| if existed { "replaced" } else { "created" };
    let from = |src: &Option<PathBuf>| match src {
        Some(p) => format!(" (a copy of {})", p.display()),
        None => String::new(),
    };
    writeln!(
        out,
        "{} {}{}",
        verb(config_existed),
        config_path.display(),
        from(&args.config)
    )?;
    writeln!(
        out,
        "{} {}{}",
        verb(launcher_existed),
        launcher_path.display(),
        from(&args.launcher)
    )?;
    let arg = match &typed {
        Some(d) => format!(" {}", crate::text::pyfmt::shell_quote(&d.to_string_lossy())),
        None => String::new(),
    };
    let steps = [
        (
            format!("edit {}", config_path.display()),
            "the SLURM resources and the parameters",
        ),
        (
            format!("edit {}", launcher_path.display()),
            "the command that trains one trial",
        ),
        (
            format!("herd-expand{arg} --check"),
            "check the config, count the trials",
        ),
        (
            format!("herd test{arg}"),
            "run the first trial here, in the foreground",
        ),
        (format!("herd run{arg}"), "submit the sweep to SLURM"),
        (
            format!("herd run --local{arg}"),
            "or run it on this machine (no SLURM needed)",
        ),
    ];
    let width = steps.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    writeln!(out, "\nnext steps:")?;
    for (k, (cmd, why)) in steps.iter().enumerate() {
        writeln!(out, "  {}. {cmd:width$}  {why}", k + 1)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// herd-submit refuses a workspace whose path SLURM's `--output` cannot hold; say so
/// now rather than at the first submission.
fn warn_if_unsubmittable(abs: &Path) {
    let text = abs.to_string_lossy();
    if text
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '%')
    {
        cli::warning(&format!(
            "{text:?} contains whitespace or '%', which SLURM's log paths cannot hold: herd-submit will refuse this sweep (move it to a plain path before 'herd run')"
        ));
    }
}

/// `DIR/file` as the user typed DIR (just `file` without DIR).
fn shown(dir: Option<&Path>, file: &str) -> PathBuf {
    match dir {
        Some(d) => d.join(file),
        None => PathBuf::from(file),
    }
}

fn read_source(p: &Path, flag: &str) -> Result<Vec<u8>, Error> {
    match std::fs::read(p) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::invalid(format!(
            "{flag} {}: no such file; nothing was written",
            p.display()
        ))),
        Err(e) => Err(Error::io(format!("reading {}", p.display()), e)),
    }
}

/// Execute permission wherever there is read permission (0644 → 0755, 0600 → 0700).
fn make_executable(p: &Path) -> Result<(), Error> {
    let what = || format!("making {} executable", p.display());
    let mode = std::fs::metadata(p)
        .map_err(|e| Error::io(what(), e))?
        .permissions()
        .mode();
    let mode = mode | ((mode & 0o444) >> 2);
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(what(), e))
}

/// A sweep name from a directory name: runs of characters outside `[A-Za-z0-9._-]`
/// become one `_`; `experiment` when nothing usable is left.
fn sweep_name(base: &str) -> String {
    let mut out = String::new();
    for c in base.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_');
    if out.chars().any(|c| c.is_ascii_alphanumeric()) {
        out.to_string()
    } else {
        "experiment".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;
    use crate::model::expand::expand;

    fn load(text: &str) -> config::Config {
        config::parse(text, Path::new("/w/hyperherd.yaml"), Path::new("/w"))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_example_config_is_valid_and_has_five_trials() {
        let cfg = load(&CONFIG_TEMPLATE.replace("__NAME__", "demo"));
        assert_eq!(cfg.name, "demo");
        assert_eq!(cfg.launcher, Path::new("/w/launch.sh"));
        let trials = expand(&cfg).unwrap();
        let names: Vec<String> = trials.iter().map(|t| t.name.clone()).collect();
        assert_eq!(
            names,
            [
                "lr-1e-05",
                "lr-5.623e-05",
                "lr-0.0003162",
                "lr-0.001778",
                "lr-0.01"
            ]
        );
    }

    /// The commented examples are valid too, once uncommented.
    #[test]
    fn the_commented_examples_are_valid() {
        let mut text = String::new();
        let mut block: Option<usize> = None;
        for line in CONFIG_TEMPLATE.replace("__NAME__", "demo").lines() {
            let starts = ["  # optimizer:", "# conditions:", "# static_overrides:"]
                .iter()
                .find(|m| line == **m);
            if let Some(m) = starts {
                block = Some(m.len() - m.trim_start().len());
            }
            if line.trim().is_empty() {
                block = None;
            }
            match block {
                // "  # x" → "  x": drop the "# " after the indentation.
                Some(keep) => text.push_str(&format!("{}{}", &line[..keep], &line[keep + 2..])),
                None => text.push_str(line),
            }
            text.push('\n');
        }
        assert!(
            text.contains("\n  optimizer:\n    type: discrete\n"),
            "{text}"
        );
        assert!(text.contains("\nconditions:\n  - name:"), "{text}");
        let cfg = load(&text);
        assert_eq!(cfg.conditions.len(), 2);
        assert_eq!(cfg.static_overrides.len(), 2);
        // 5 × 2, less the excluded (lr=1e-5, sgd) trial.
        assert_eq!(expand(&cfg).unwrap().len(), 9);
    }

    /// Each form hands `python` the arguments its kind of trainer reads, from the one
    /// argument herd passes. (`python` here is a stand-in script on PATH that prints
    /// its arguments: the test is of the launcher's shell, not of Python.)
    #[test]
    fn each_trainer_form_passes_the_settings_as_that_trainer_reads_them() {
        let dir = std::env::temp_dir().join(format!("herd-init-forms-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("bin")).unwrap();
        std::fs::write(
            dir.join("bin/python"),
            "#!/bin/sh\nfor a in \"$@\"; do printf '<%s>' \"$a\"; done\n",
        )
        .unwrap();
        make_executable(&dir.join("bin/python")).unwrap();
        let path = format!(
            "{}:{}",
            dir.join("bin").display(),
            std::env::var("PATH").unwrap()
        );
        let overrides = "experiment_name=lr-0.1 lr=0.1 tag=a*b";
        let want = [
            (
                "parse-overrides",
                "<train.py><experiment_name=lr-0.1 lr=0.1 tag=a*b>",
            ),
            (
                "hydra",
                "<train.py><experiment_name=lr-0.1><lr=0.1><tag=a*b>",
            ),
            (
                "argparse",
                "<train.py><--experiment_name=lr-0.1><--lr=0.1><--tag=a*b>",
            ),
        ];
        std::fs::write(dir.join("a1b"), "").unwrap(); // a glob would match this
        for (style, expected) in want {
            let script = dir.join(format!("{style}.sh"));
            std::fs::write(&script, launcher_for(style)).unwrap();
            let o = std::process::Command::new("bash")
                .arg(&script)
                .arg(overrides)
                .current_dir(&dir)
                .env("PATH", &path)
                .output()
                .unwrap();
            assert!(o.status.success(), "{style}: {o:?}");
            assert_eq!(String::from_utf8_lossy(&o.stdout), expected, "{style}");
            let text = launcher_for(style);
            let active = text
                .lines()
                .filter(|l| l.contains("python train.py") && !l.starts_with('#'))
                .count();
            assert_eq!(active, 1, "{style}: exactly one active line");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn names_come_from_the_directory() {
        assert_eq!(sweep_name("lr-sweep_2.1"), "lr-sweep_2.1");
        assert_eq!(sweep_name("my sweep (v2)"), "my_sweep_v2");
        assert_eq!(sweep_name(""), "experiment");
        assert_eq!(sweep_name("实验"), "experiment");
        assert_eq!(sweep_name("--"), "experiment");
    }
}
