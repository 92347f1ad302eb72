//! `herd-log NAME VALUE …`: log metrics of the current trial (summary or stream).
//!
//! Runs inside training loops, once per step, so it does the least it can: no config;
//! it checks that `.hyperherd/` exists, appends or merges, and (in stream mode) looks
//! for a stop signal. The manifest is read only on a trial's first log (when
//! `results/<i>` and `results/<i>.json` do not exist yet), to refuse a trial id the
//! sweep does not have; later calls cost one `stat` more.

use crate::cli;
use crate::error::Error;
use crate::store::results::parse_exact;
use crate::store::results::TrialResults;
use crate::store::workspace::Workspace;
use crate::text::value::Value;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
herd-log: log metrics of the current trial

Usage: herd-log [OPTIONS] NAME VALUE [NAME VALUE ...]
       herd-log [OPTIONS] NAME=VALUE [NAME=VALUE ...]
       herd-log [OPTIONS] -

Arguments:
  NAME VALUE            a metric and its value; NAME=VALUE is the same
  -                     read a JSON object from stdin, or NDJSON objects; an object's
                        \"step\" key, if any, is its step and the other keys are metrics

Options:
      --step N          append to the metric's stream at step N (an integer) instead of
                        setting a summary metric
      --string          store every VALUE as a string, as written
  -w, --workspace DIR   the workspace [default: $HYPERHERD_WORKSPACE]
  -t, --trial INDEX     the trial [default: $HYPERHERD_TRIAL_ID]
  -h, --help            print this help
  -V, --version         print the version

Values: a JSON literal (1, 0.5, 1e-3, true, null, [1, 2], {\"a\": 1}, \"text\") is
stored typed, as are nan, inf and -inf (written NaN, Infinity, -Infinity as Python
does) and other number forms such as .5; anything else is stored as a string, with
a warning when it looks like a mistyped number (0,93). An empty VALUE is refused;
--string logs it as \"\".

Summary metrics go to .hyperherd/results/<trial>.json (a known metric is overwritten
in place); streamed ones are appended to .hyperherd/results/<trial>/stream/<NAME>.jsonl,
where a '/' in NAME makes a sub-directory.

Examples:
  herd-log test_acc 0.913 test_loss 0.27
  herd-log loss \"$loss\" --step \"$step\" || exit 0
  echo '{\"step\": 10, \"loss\": 0.5, \"acc\": 0.8}' | herd-log -

Exit status: 0 ok, 1 a results file is corrupt or could not be written, 2 usage error
or not inside a trial, 3 (stream mode, after writing) the trial was asked to stop:
pruned or paused by successive halving.
";

#[derive(Debug, Default)]
struct Args {
    workspace: Option<PathBuf>,
    trial: Option<String>,
    step: Option<i64>,
    string: bool,
    stdin: bool,
    pairs: Vec<(String, String)>,
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args::default();
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        cli::shared_flags!(arg, p, [&mut cli::Standard(USAGE)]);
        match arg {
            Long("step") => {
                let text = p.value()?.string()?;
                args.step = Some(match parse_step(&text) {
                    Step::Ok(s) => s,
                    Step::Fraction => {
                        return Err(Error::usage(format!(
                            "--step '{text}': steps are integers, and {} has a fraction",
                            text.trim()
                        )))
                    }
                    Step::Bad => {
                        return Err(Error::usage(format!(
                            "--step '{text}': expected an integer step"
                        )))
                    }
                });
            }
            Long("string") => args.string = true,
            Short('w') | Long("workspace") => args.workspace = Some(p.value()?.into()),
            Short('t') | Long("trial") => args.trial = Some(p.value()?.string()?),
            Value(v) => {
                let v = v.string()?;
                if v == "-" {
                    args.stdin = true;
                } else if let Some((name, value)) = v.split_once('=') {
                    args.pairs.push((name.to_string(), value.to_string()));
                } else {
                    // The value is taken as is, even when it starts with '-' (-0.5).
                    let value = p
                        .raw_args()?
                        .next()
                        .ok_or_else(|| Error::usage(format!("metric '{v}' has no value")))?;
                    let value = value.into_string().map_err(|_| {
                        Error::usage(format!("the value of metric '{v}' is not valid UTF-8"))
                    })?;
                    if value.starts_with("--") {
                        return Err(Error::usage(format!(
                            "metric '{v}' has no value (got option '{value}'); put options before the metrics, or write {v}={value} to log that text"
                        )));
                    }
                    args.pairs.push((v, value));
                }
            }
            _ => return Err(arg.unexpected().into()),
        }
    }
    if args.stdin && !args.pairs.is_empty() {
        return Err(Error::usage(
            "'-' (metrics from stdin) cannot be combined with NAME VALUE arguments",
        ));
    }
    if args.stdin && args.string {
        return Err(Error::usage(
            "--string applies to NAME VALUE arguments; values on stdin are typed by their JSON",
        ));
    }
    if !args.stdin && args.pairs.is_empty() {
        return Err(Error::usage(
            "nothing to log: give NAME VALUE, NAME=VALUE or -",
        ));
    }
    if let Some((name, _)) = args.pairs.iter().find(|(n, _)| n.is_empty()) {
        return Err(Error::usage(format!("empty metric name in '{name}=…'")));
    }
    if !args.string {
        if let Some((name, _)) = args.pairs.iter().find(|(_, v)| v.trim().is_empty()) {
            return Err(
                Error::invalid(format!("metric '{name}' has an empty value")).hint(format!(
                    "to log an empty string, pass --string (herd-log --string {name}=)"
                )),
            );
        }
    }
    Ok(args)
}

/// What a `--step` text is.
#[derive(Debug, PartialEq)]
enum Step {
    /// An integer, or a number with no fraction (`7.0`, `1e3`).
    Ok(i64),
    /// A number with a fraction (`1.5`): refused, as truncating it would merge two
    /// points into one step (readers keep one record per step).
    Fraction,
    /// Not a number, or out of range.
    Bad,
}

fn parse_step(text: &str) -> Step {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Step::Ok(i);
    }
    step_of_float(t.parse::<f64>().unwrap_or(f64::NAN))
}

/// The step of a float: whole numbers only.
fn step_of_float(f: f64) -> Step {
    if !f.is_finite() || f.abs() >= 9.2e18 {
        Step::Bad
    } else if f.fract() != 0.0 {
        Step::Fraction
    } else {
        Step::Ok(f as i64)
    }
}

/// The largest trial index herd accepts (one bound for every tool).
use crate::store::workspace::MAX_INDEX;

/// Why a text that is not a number looks like one a user meant: a decimal comma,
/// a dangling exponent, two points. `Some(suggestion)` when a fix is plain.
fn numeric_looking(text: &str) -> Option<Option<String>> {
    let t = text.trim();
    let first = t.bytes().next()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.' | b',')) {
        return None;
    }
    if !t.bytes().any(|b| b.is_ascii_digit())
        || !t.bytes().all(|b| {
            b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b',' | b'e' | b'E' | b'_')
        })
    {
        return None;
    }
    let fixed = t.replace(',', ".");
    let plain = t.matches(',').count() == 1 && !t.contains('.') && fixed.parse::<f64>().is_ok();
    Some(plain.then_some(fixed))
}

/// The typed value of command-line text (see USAGE): a JSON literal, else a number in
/// any form Rust and Python both read (`.5`, `+1`, `nan`, `-inf`), else the text.
pub(crate) fn parse_value(text: &str, force_string: bool) -> Value {
    if force_string {
        return Value::Str(text.to_string());
    }
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if t.is_empty() {
        return Value::Str(text.to_string());
    }
    if let Ok(v) = parse_exact(t) {
        return v;
    }
    match t.parse::<f64>() {
        Ok(f) => Value::Float(f),
        Err(_) => Value::Str(text.to_string()),
    }
}

/// Where to log: the workspace and the trial, from flags or the environment.
fn target(args: &Args) -> Result<(Workspace, u64), Error> {
    let root = match &args.workspace {
        Some(w) => w.clone(),
        None => match std::env::var_os("HYPERHERD_WORKSPACE") {
            Some(w) if !w.is_empty() => PathBuf::from(w),
            _ => {
                return Err(Error::invalid(
                    "HYPERHERD_WORKSPACE is not set: herd-log logs for the trial it runs in",
                )
                .hint("run it inside a trial (herd-submit, herd-test), or pass --workspace DIR and --trial INDEX"))
            }
        },
    };
    let (text, from) = match &args.trial {
        Some(t) => (t.clone(), "--trial"),
        None => match std::env::var_os("HYPERHERD_TRIAL_ID") {
            Some(t) => (t.to_string_lossy().into_owned(), "HYPERHERD_TRIAL_ID"),
            None => {
                return Err(Error::invalid(
                    "HYPERHERD_TRIAL_ID is not set: herd-log logs for the trial it runs in",
                )
                .hint("run it inside a trial (herd-submit, herd-test), or pass --trial INDEX"))
            }
        },
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(format!(
            "{from}='{text}' is not a trial index (a non-negative integer)"
        )));
    }
    let index = text
        .parse::<u64>()
        .ok()
        .filter(|i| *i <= MAX_INDEX)
        .ok_or_else(|| {
            Error::invalid(format!(
                "{from}='{text}' is above the largest trial index, {MAX_INDEX} (2^53-1)"
            ))
        })?;
    let ws = Workspace::new(&root);
    if !ws.dir().is_dir() {
        let e = if root.is_dir() {
            Error::invalid(format!(
                "{} is not a herd workspace (no .hyperherd/ directory)",
                root.display()
            ))
            .hint("point HYPERHERD_WORKSPACE (or --workspace) at the directory holding hyperherd.yaml and .hyperherd/")
        } else {
            Error::invalid(format!("workspace {} is not visible here", root.display()))
                .hint("in a container, bind-mount the whole workspace at the same path")
        };
        return Err(e);
    }
    check_trial(&ws, index, from)?;
    Ok((ws, index))
}

/// Refuse a trial the sweep does not have. Only a trial's first log pays for it:
/// once `results/<i>` or `results/<i>.json` exists, the trial was checked (or the
/// reference logged for it), and one `stat` is all this costs.
fn check_trial(ws: &Workspace, index: u64, from: &str) -> Result<(), Error> {
    let results = ws.results_dir();
    if results.join(index.to_string()).exists() || results.join(format!("{index}.json")).exists() {
        return Ok(());
    }
    let Some(text) = ws.read_manifest_text()? else {
        return Err(Error::invalid(format!(
            "{} has no manifest.json, so trial {index} is not part of a sweep",
            ws.dir().display()
        ))
        .hint("run it inside a trial (herd-submit, herd-test); herd-test stores the trial first"));
    };
    // Both tools write the manifest indented, each record starting with its index:
    // a text search settles the usual case without parsing a large manifest.
    if text.contains(&format!("{{\n    \"index\": {index},")) {
        return Ok(());
    }
    let records = ws.parse_manifest(Some(text))?.unwrap_or_default();
    if records.iter().any(|r| r.index == index) {
        return Ok(());
    }
    let ids: Vec<u64> = records.iter().map(|r| r.index).collect();
    let have = if ids.is_empty() {
        "it has none yet".to_string()
    } else {
        format!("its trials: {}", crate::store::script::array_spec(&ids))
    };
    Err(Error::invalid(format!(
        "{from} {index}: the sweep has no trial {index} ({have})"
    ))
    .hint("log for the trial the job runs (HYPERHERD_TRIAL_ID), or add trials with herd-submit"))
}

/// What one invocation logs: summary entries, and stream records `(name, step, value)`.
#[derive(Debug, Default)]
struct Batch {
    summary: Vec<(String, Value)>,
    stream: Vec<(String, i64, Value)>,
}

fn batch_from_args(args: &Args) -> Batch {
    let mut b = Batch::default();
    let mut warned = false;
    for (name, text) in &args.pairs {
        let v = parse_value(text, args.string);
        if let (Value::Str(_), false) = (&v, args.string) {
            if let Some(fix) = numeric_looking(text) {
                let did_you_mean = fix.map(|f| format!("; did you mean {f}?"));
                cli::warning(&format!(
                    "metric '{name}': '{text}' is not a number, so it is stored as a string{}",
                    did_you_mean.unwrap_or_default()
                ));
                warned = true;
            }
        }
        match args.step {
            Some(s) => b.stream.push((name.clone(), s, v)),
            None => b.summary.push((name.clone(), v)),
        }
    }
    if warned {
        let _ = writeln!(
            std::io::stderr(),
            "hint: write a number as 0.93, 1e-3 or 12; to store text as it is, pass --string"
        );
    }
    b
}

/// Parse stdin: one JSON value (which may span lines), else one per non-blank line.
fn batch_from_stdin(text: &str, default_step: Option<i64>) -> Result<Batch, Error> {
    let docs: Vec<(usize, Value)> = match parse_exact(text) {
        Ok(v) => vec![(0, v)],
        Err(_) => {
            let mut docs = Vec::new();
            for (at, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let v = parse_exact(line)
                    .map_err(|e| Error::invalid(format!("stdin line {}: not JSON: {e}", at + 1)))?;
                docs.push((at + 1, v));
            }
            docs
        }
    };
    let mut b = Batch::default();
    for (line, doc) in docs {
        let place = if line == 0 {
            "stdin".to_string()
        } else {
            format!("stdin line {line}")
        };
        let Value::Map(m) = doc else {
            return Err(Error::invalid(format!(
                "{place}: expected a JSON object of metrics, got {}",
                doc.kind()
            )));
        };
        let step = match m.get("step") {
            None => default_step,
            Some(Value::Int(s)) => Some(*s),
            Some(Value::Float(f)) if step_of_float(*f) == Step::Fraction => {
                return Err(Error::invalid(format!(
                    "{place}: \"step\" must be an integer, got {f}, which has a fraction"
                )))
            }
            Some(Value::Float(f)) if matches!(step_of_float(*f), Step::Ok(_)) => {
                Some(f.trunc() as i64)
            }
            Some(other) => {
                return Err(Error::invalid(format!(
                    "{place}: \"step\" must be an integer, got {}",
                    other.kind()
                )))
            }
        };
        for (k, v) in m.0 {
            if k == "step" {
                continue;
            }
            if k.is_empty() {
                return Err(Error::invalid(format!("{place}: empty metric name")));
            }
            match step {
                Some(s) => b.stream.push((k, s, v)),
                None => b.summary.push((k, v)),
            }
        }
    }
    Ok(b)
}

/// Entry point of `herd-log`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    let args = parse_args(argv)?;
    // A usage error first, before the workspace and manifest are looked at.
    if args.stdin && crate::cli::stdin_is_terminal() {
        return Err(Error::usage(
            "'-' reads metrics from stdin, which is a terminal; pipe a JSON object in",
        ));
    }
    let (ws, index) = target(&args)?;
    let batch = if args.stdin {
        let mut text = String::new();
        std::io::stdin()
            .lock()
            .read_to_string(&mut text)
            .map_err(|e| Error::io("reading stdin", e))?;
        batch_from_stdin(&text, args.step)?
    } else {
        batch_from_args(&args)
    };
    for (name, _, _) in &batch.stream {
        crate::store::results::check_stream_name(name)?;
    }
    let trial = TrialResults::new(&ws, index);
    if !batch.stream.is_empty() {
        let ts = crate::store::results::now()?;
        for (name, step, value) in &batch.stream {
            trial.append_stream(name, *step, value, ts)?;
        }
    }
    trial.merge_summary(&batch.summary)?;
    if !batch.stream.is_empty() {
        if let Some(sig) = trial.signal()? {
            return Err(Error::Stop(format!(
                "trial {index} was asked to {} by successive halving; the value was logged, stop training",
                sig.as_str()
            )));
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Result<Args, Error> {
        parse_args(a.iter().map(OsString::from).collect())
    }

    #[test]
    fn values_are_typed_like_json() {
        assert_eq!(parse_value("1", false), Value::Int(1));
        assert_eq!(parse_value("0.5", false), Value::Float(0.5));
        assert_eq!(parse_value("1e-3", false), Value::Float(0.001));
        assert_eq!(parse_value(".5", false), Value::Float(0.5));
        assert_eq!(parse_value("+2", false), Value::Float(2.0));
        assert_eq!(parse_value(" 3 ", false), Value::Int(3));
        assert_eq!(parse_value("true", false), Value::Bool(true));
        assert_eq!(parse_value("null", false), Value::Null);
        assert_eq!(parse_value("True", false), Value::Str("True".into()));
        assert_eq!(parse_value("adam", false), Value::Str("adam".into()));
        assert_eq!(parse_value("\"7\"", false), Value::Str("7".into()));
        assert_eq!(parse_value("1", true), Value::Str("1".into()));
        assert_eq!(parse_value("", false), Value::Str("".into()));
        assert_eq!(
            parse_value("[1, 2.5]", false),
            Value::List(vec![Value::Int(1), Value::Float(2.5)])
        );
        for t in ["nan", "NaN", "-nan", "NAN"] {
            assert!(
                matches!(parse_value(t, false), Value::Float(f) if f.is_nan()),
                "{t}"
            );
        }
        for t in ["inf", "Infinity", "+inf", "INF", "infinity"] {
            assert_eq!(parse_value(t, false), Value::Float(f64::INFINITY), "{t}");
        }
        assert_eq!(parse_value("-inf", false), Value::Float(f64::NEG_INFINITY));
        assert_eq!(
            parse_value("-Infinity", false),
            Value::Float(f64::NEG_INFINITY)
        );
    }

    #[test]
    fn pairs_take_negative_values_and_equals_forms() {
        let a = args(&["loss", "-0.5", "acc=0.9", "--step", "3", "x", "-"]).unwrap();
        assert_eq!(
            a.pairs,
            vec![
                ("loss".into(), "-0.5".into()),
                ("acc".into(), "0.9".into()),
                ("x".into(), "-".into())
            ]
        );
        assert_eq!(a.step, Some(3));
        assert!(!a.stdin);
    }

    #[test]
    fn bad_command_lines_are_usage_errors() {
        for (argv, msg) in [
            (&["loss"][..], "metric 'loss' has no value"),
            (&[][..], "nothing to log"),
            (&["-", "a", "1"][..], "cannot be combined"),
            (&["--string", "-"][..], "--string applies"),
            (&["--step", "x", "a", "1"][..], "expected an integer step"),
            (&["loss", "--step", "1"][..], "got option '--step'"),
            (&["=1"][..], "empty metric name"),
        ] {
            let e = args(argv).unwrap_err();
            assert_eq!(e.exit_code(), 2);
            assert!(e.to_string().contains(msg), "{argv:?}: {e}");
        }
    }

    #[test]
    fn steps_are_whole_numbers() {
        assert_eq!(parse_step("7"), Step::Ok(7));
        assert_eq!(parse_step("-2"), Step::Ok(-2));
        assert_eq!(parse_step("7.0"), Step::Ok(7));
        assert_eq!(parse_step("1e3"), Step::Ok(1000));
        assert_eq!(parse_step("3.9"), Step::Fraction);
        assert_eq!(parse_step("-0.5"), Step::Fraction);
        assert_eq!(parse_step("nan"), Step::Bad);
        assert_eq!(parse_step("1e30"), Step::Bad);
        assert_eq!(parse_step("ten"), Step::Bad);
    }

    #[test]
    fn numbers_meant_but_mistyped_are_noticed() {
        assert_eq!(numeric_looking("0,93"), Some(Some("0.93".into())));
        assert_eq!(numeric_looking("-1,5"), Some(Some("-1.5".into())));
        assert_eq!(numeric_looking("1e"), Some(None));
        assert_eq!(numeric_looking("1.2.3"), Some(None));
        assert_eq!(numeric_looking("1,000,000"), Some(None));
        for text in ["adam", "e5", "v1.2", "", "-", "x1", "ResNet-50"] {
            assert_eq!(numeric_looking(text), None, "{text}");
        }
    }

    #[test]
    fn stdin_takes_an_object_or_ndjson() {
        let b = batch_from_stdin("{\n  \"a\": 1,\n  \"b\": NaN\n}\n", None).unwrap();
        assert_eq!(b.summary.len(), 2);
        assert!(b.stream.is_empty());
        let b = batch_from_stdin(
            "{\"step\": 1, \"loss\": 0.5}\n\n{\"step\": 2.0, \"loss\": 0.4}\n{\"final\": 1}\n",
            None,
        )
        .unwrap();
        assert_eq!(
            b.stream,
            vec![
                ("loss".into(), 1, Value::Float(0.5)),
                ("loss".into(), 2, Value::Float(0.4))
            ]
        );
        assert_eq!(b.summary, vec![("final".into(), Value::Int(1))]);
        let b = batch_from_stdin("{\"loss\": 1}", Some(9)).unwrap();
        assert_eq!(b.stream, vec![("loss".into(), 9, Value::Int(1))]);
        for (text, msg) in [
            (
                "[1]",
                "stdin: expected a JSON object of metrics, got a list",
            ),
            ("{\"a\": 1}\n{oops\n", "stdin line 2: not JSON"),
            ("{\"step\": \"x\", \"a\": 1}", "\"step\" must be an integer"),
            ("{\"step\": 2.7, \"a\": 1}", "got 2.7, which has a fraction"),
        ] {
            let e = batch_from_stdin(text, None).unwrap_err().to_string();
            assert!(e.contains(msg), "{text}: {e}");
        }
    }
}
