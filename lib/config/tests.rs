use super::fields::parse_py_float;
use super::halving::HALVING_KEYS;
use super::problems::suggest;
use super::show::show;
use super::slurm::SLURM_KEYS;
use super::top::TOP_KEYS;
use super::*;

const BASE: &str = "name: t\ngrid: all\nslurm:\n  partition: short\nparameters:\n  lr:\n    type: discrete\n    values: [0.1, 0.01]\n    abbrev: lr\n";

pub(super) fn parse_str(text: &str) -> Result<Config, Error> {
    parse(text, Path::new("/ws/hyperherd.yaml"), Path::new("/ws"))
}

pub(super) fn ok(text: &str) -> Config {
    match parse_str(text) {
        Ok(c) => c,
        Err(e) => panic!("expected a valid config, got {e}\n--- config:\n{text}"),
    }
}

fn problems(text: &str) -> Vec<String> {
    match parse_str(text) {
        Ok(_) => panic!("expected problems\n--- config:\n{text}"),
        Err(Error::Config { problems, .. }) => problems,
        Err(e) => panic!("expected Error::Config, got {e:?}"),
    }
}

/// The single problem of `text`.
pub(super) fn one(text: &str) -> String {
    let p = problems(text);
    assert_eq!(p.len(), 1, "expected one problem, got {p:#?}");
    p[0].clone()
}

/// BASE plus top-level YAML.
fn with(extra: &str) -> String {
    format!("{BASE}{extra}")
}

/// A config whose `parameters:` block is `block`.
pub(super) fn params(block: &str) -> String {
    format!("name: t\ngrid: all\nslurm:\n  partition: short\nparameters:\n{block}")
}

/// A config whose `slurm:` block has `lines` after the partition.
fn slurm_with(lines: &str) -> String {
    format!("name: t\ngrid: all\nslurm:\n  partition: short\n{lines}parameters:\n  lr:\n    type: discrete\n    values: [0.1, 0.01]\n")
}

/// Parameters opt [adam, sgd], lr [0.1, 0.01], y [1, 3, 5], and `conditions:` = `block`.
fn conds(block: &str) -> String {
    format!(
        "name: t\ngrid: all\nslurm:\n  partition: short\nparameters:\n  opt:\n    type: discrete\n    values: [adam, sgd]\n  lr:\n    type: discrete\n    values: [0.1, 0.01]\n  y:\n    type: discrete\n    values: [1, 3, 5]\nconditions:\n{block}"
    )
}

/// True when lib/expr.rs is the real validator (not the placeholder interface).
fn real_expr() -> bool {
    Expr::compile("zz_unknown + 1", &["x"]).is_err()
}

fn discrete_values(c: &Config, i: usize) -> (Vec<Value>, Option<Vec<String>>) {
    match &c.parameters[i].kind {
        ParamKind::Discrete { values, labels } => (values.clone(), labels.clone()),
        ParamKind::Continuous { .. } => panic!("not discrete"),
    }
}

// ---- locate and load ----------------------------------------------------

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("herd-config-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn locate_a_directory_means_its_hyperherd_yaml() {
    let d = temp_dir("locate-dir");
    std::fs::write(d.join(CONFIG_FILE), BASE).unwrap();
    let (file, ws) = locate(Some(&d)).unwrap();
    assert_eq!(file, d.join(CONFIG_FILE));
    assert_eq!(ws, d);
}

#[test]
fn locate_a_file_is_the_config_itself() {
    let d = temp_dir("locate-file");
    let f = d.join("other.yml");
    std::fs::write(&f, BASE).unwrap();
    assert_eq!(locate(Some(&f)).unwrap(), (f.clone(), d.clone()));
    // `..` and `.` are collapsed lexically.
    let odd = d.join("sub").join("..").join(".").join("other.yml");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    assert_eq!(locate(Some(&odd)).unwrap(), (f, d));
}

#[test]
fn locate_a_directory_without_config_names_it_and_hints() {
    let d = temp_dir("locate-empty");
    let e = locate(Some(&d)).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("no hyperherd.yaml in {}", d.display())
    );
    assert_eq!(
        e.hint_text(),
        Some("create one with 'herd init' or pass the config file")
    );
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn locate_a_missing_path_names_it() {
    let d = temp_dir("locate-missing");
    let e = locate(Some(&d.join("nope.yaml"))).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "no config at {} (no such file or directory)",
            d.join("nope.yaml").display()
        )
    );
    assert!(e.hint_text().is_some());
}

#[test]
fn normalize_is_lexical() {
    assert_eq!(
        normalize(Path::new("/scratch/x/../scripts/./run.sh")),
        PathBuf::from("/scratch/scripts/run.sh")
    );
    assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
    assert_eq!(normalize(Path::new("/a/b/../../..")), PathBuf::from("/"));
}

#[test]
fn load_reads_the_workspace_config() {
    let d = temp_dir("load");
    std::fs::write(d.join(CONFIG_FILE), with("launcher: launch.sh\n")).unwrap();
    let c = load(Some(&d)).unwrap();
    assert_eq!(c.workspace, d);
    assert_eq!(c.path, d.join(CONFIG_FILE));
    assert_eq!(c.launcher, d.join("launch.sh"));
}

#[test]
fn load_rejects_a_file_that_is_not_utf8() {
    let d = temp_dir("load-utf8");
    std::fs::write(d.join(CONFIG_FILE), b"name: t\xff\n").unwrap();
    let Err(Error::Config { problems, .. }) = load(Some(&d)) else {
        panic!("expected a config error")
    };
    assert_eq!(
        problems,
        ["the file is not valid UTF-8 (first bad byte at offset 7; save it as UTF-8)"]
    );
}

#[test]
fn load_rejects_a_workspace_path_with_a_control_character() {
    let d = temp_dir("load-ws").join("a\nb");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join(CONFIG_FILE), BASE).unwrap();
    let Err(Error::Config { problems, .. }) = load(Some(&d)) else {
        panic!("expected a config error")
    };
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].starts_with("workspace directory: '"),
        "{problems:?}"
    );
    assert!(
        problems[0].contains("a\\nb' contains the control character U+000A (rename the directory")
    );
    // C1 controls and the Unicode separators too (they passed, then broke the
    // job script's rendering).
    for (c, what) in [
        ('\u{85}', "the control character U+0085"),
        ('\u{2028}', "the line separator U+2028"),
        ('\u{2029}', "the paragraph separator U+2029"),
    ] {
        let d = temp_dir("load-ws-c1").join(format!("a{c}b"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(CONFIG_FILE), BASE).unwrap();
        let Err(Error::Config { problems, .. }) = load(Some(&d)) else {
            panic!("expected a config error for {what}")
        };
        assert!(
            problems[0].starts_with("workspace directory: '"),
            "{problems:?}"
        );
        assert!(
            problems[0].contains(&format!("contains {what} (rename the directory")),
            "{problems:?}"
        );
    }
}

// ---- the document -------------------------------------------------------

#[test]
fn minimal_config_gets_every_default() {
    let c = ok(BASE);
    assert_eq!(c.name, "t");
    assert_eq!(c.grid, Grid::All);
    assert_eq!(c.slurm.partition, "short");
    assert_eq!(c.slurm.time, "01:00:00");
    assert_eq!(c.slurm.mem, "8G");
    assert_eq!(c.slurm.cpus_per_task, 1);
    assert_eq!(c.slurm.gres, None);
    assert_eq!(c.slurm.max_concurrent, None);
    assert!(c.slurm.extra_args.is_empty());
    assert_eq!(c.launcher, PathBuf::new());
    assert!(c.static_overrides.is_empty());
    assert!(c.conditions.is_empty());
    assert!(c.successive_halving.is_none());
    assert_eq!(c.prune_grace_seconds, 600);
    assert_eq!(c.parameters.len(), 1);
    assert_eq!(c.parameters[0].token(), "lr");
    assert_eq!(
        discrete_values(&c, 0).0,
        vec![Value::Float(0.1), Value::Float(0.01)]
    );
    assert_eq!(c.path, PathBuf::from("/ws/hyperherd.yaml"));
    assert_eq!(c.workspace, PathBuf::from("/ws"));
}

#[test]
fn yaml_syntax_error_has_line_and_column() {
    let p = one("name: t\nparameters: [1, 2\n");
    assert!(p.starts_with("invalid YAML: "), "{p}");
    assert!(p.contains("at line 3 column 1"), "{p}");
}

#[test]
fn yaml_error_without_position_in_its_text_gets_one() {
    assert_eq!(
        one("\tname: t\n"),
        "invalid YAML: found character that cannot start any token, while scanning for the next token at line 1 column 1"
    );
}

#[test]
fn yaml_tags_are_explained() {
    assert_eq!(
        one("name: !foo t\n"),
        "invalid YAML: name: YAML tags such as '!foo' are not supported at line 1 column 7"
    );
}

#[test]
fn duplicate_top_level_key_names_both_lines_and_the_fix() {
    assert_eq!(
        one(&with("name: u\n")),
        "duplicate key 'name' at lines 1 and 10 (a key may appear only once; delete or rename one of them)"
    );
}

#[test]
fn duplicate_nested_key_is_an_error() {
    assert_eq!(
        one(&slurm_with("  partition: long\n")),
        "slurm: duplicate key 'partition' at lines 4 and 5 (a key may appear only once; delete or rename one of them)"
    );
    assert_eq!(
        one(&with("# comment\nx: {a: 1, a: 2}\n").replace("name: t\n", "")),
        "x: duplicate key 'a' in the mapping at line 10 column 4 (a key may appear only once; delete or rename one of them)"
    );
}

#[test]
fn unsupported_yaml_values_are_explained() {
    assert_eq!(
        one("name: t\n? [a]\n: b\n"),
        "invalid YAML: mapping keys must be strings, found sequence at line 2 column 3"
    );
    assert_eq!(
        one("name: t\nx: 99999999999999999999\n"),
        "invalid YAML: x: integer 99999999999999999999 is too large (the limit is 2^63-1) at line 2 column 4"
    );
    assert_eq!(
        one("name: t\nx: -9999999999999999999\n"),
        "invalid YAML: x: integer -9999999999999999999 is too large (the limit is 2^63-1) at line 2 column 4"
    );
}

#[test]
fn multiple_documents_are_an_error() {
    assert_eq!(
        one(&format!("{BASE}---\nname: u\n")),
        "invalid YAML: the file holds more than one YAML document (remove the '---' line that starts the second)"
    );
}

#[test]
fn control_character_in_the_yaml_text_is_located() {
    assert_eq!(
        one("name: t\nslurm: \u{1}\n"),
        "invalid YAML: control characters are not allowed at line 2 column 8"
    );
}

#[test]
fn document_must_be_a_mapping() {
    assert_eq!(
        one("- a\n"),
        "the config must be a YAML mapping (found a list; see 'herd init' for an example)"
    );
    assert_eq!(
        one("hello\n"),
        "the config must be a YAML mapping (found a string; see 'herd init' for an example)"
    );
    assert_eq!(one(""), "the config must be a YAML mapping (found an empty document; see 'herd init' for an example)");
}

#[test]
fn unknown_top_level_key_suggests_the_near_one() {
    assert_eq!(
        one(&with("condition: []\n")),
        "condition: unknown key (did you mean 'conditions'?)"
    );
}

#[test]
fn unknown_key_far_from_all_lists_the_valid_keys() {
    assert_eq!(
        one(&slurm_with("  zzzzzz: 1\n")),
        "slurm.zzzzzz: unknown key (valid keys: partition, time, mem, cpus_per_task, gres, max_concurrent, extra_args, max_queued, signal_grace)"
    );
}

#[test]
fn unknown_key_prefix_match_is_suggested() {
    assert_eq!(
        one(&slurm_with("  memory: 8G\n")),
        "slurm.memory: unknown key (did you mean 'mem'?)"
    );
    assert_eq!(
        one(&slurm_with("  cpus: 2\n")),
        "slurm.cpus: unknown key (did you mean 'cpus_per_task'?)"
    );
}

#[test]
fn unknown_key_in_a_parameter_a_condition_and_halving() {
    let p = problems(&params(
        "  lr:\n    type: discrete\n    vaules: [1]\n    values: [1]\n",
    ));
    assert_eq!(
        p,
        ["parameters.lr.vaules: unknown key (did you mean 'values'?)"]
    );
    let p = problems(&conds(
        "  - when: {opt: sgd}\n    frce: {lr: 0.1}\n    set: {a: 1}\n",
    ));
    assert_eq!(
        p,
        ["conditions[0].frce: unknown key (did you mean 'force'?)"]
    );
    let p = problems(&with(
        "successive_halving: {metric: loss, direction: min, min_steps: 1, budget: 4, etaa: 3}\n",
    ));
    assert_eq!(
        p,
        ["successive_halving.etaa: unknown key (did you mean 'eta'?)"]
    );
}

#[test]
fn unknown_key_of_the_other_parameter_type_is_an_error() {
    let p = one(&params(
        "  lr:\n    type: continuous\n    low: 0\n    high: 1\n    values: [1]\n",
    ));
    assert_eq!(
        p,
        "parameters.lr.values: not a key of a continuous parameter (valid keys: type, low, high, scale, steps, default, abbrev, round)"
    );
}

#[test]
fn keys_the_reference_knows_are_accepted_and_ignored() {
    let c = ok(&with(
        "discord: {guild_id: 123}\nmcp_servers: [{name: x, command: y}]\nworkspace: /elsewhere\nhydra: {run: {dir: x}}\n",
    ));
    assert_eq!(c.workspace, PathBuf::from("/ws"));
    assert!(c.static_overrides.is_empty());
}

#[test]
fn all_problems_are_reported_together() {
    let text = "name: 1\ngrid: ALL\nslurm:\n  partition: p\n  mem: 16\n  cpus_per_task: 0\nparameters:\n  lr:\n    type: continuous\n    low: 1\n    high: 0\n    steps: 0\n";
    let p = problems(text);
    assert_eq!(
        p,
        [
            "name: 1 must be a string (put it in quotes)",
            "slurm.mem: 16 must be a string such as \"16G\" (put it in quotes)",
            "slurm.cpus_per_task: 0 is not allowed (cpus_per_task must be at least 1)",
            "parameters.lr.steps: 0 is not allowed (steps must be at least 1)",
            "grid: 'ALL' must be all, random, sobol or a list of parameter names (or left out: one parameter at a time)",
        ]
    );
    let e = parse_str(text).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e
        .to_string()
        .starts_with("/ws/hyperherd.yaml: 5 problems\n  name: 1 must be a string"));
}

// ---- name -----------------------------------------------------------------

#[test]
fn name_is_required() {
    let text = BASE.replace("name: t\n", "");
    assert_eq!(one(&text), "name: missing (add e.g. name: my-sweep)");
}

#[test]
fn name_must_be_a_string() {
    assert_eq!(
        one(&BASE.replace("name: t", "name: 123")),
        "name: 123 must be a string (put it in quotes)"
    );
}

#[test]
fn name_must_be_safe_for_job_and_file_names() {
    assert_eq!(
        one(&BASE.replace("name: t", "name: my sweep")),
        "name: 'my sweep' may only contain letters, digits, '.', '_' and '-' (it becomes the SLURM job name and part of file names; e.g. my_sweep)"
    );
}

#[test]
fn name_with_a_newline_is_rejected() {
    assert_eq!(
        one(&BASE.replace("name: t", "name: \"t\\nrm -rf ~\"")),
        "name: 't\\nrm -rf ~' contains the control character U+000A (remove it: it would break the job script)"
    );
}

// ---- static_overrides, hydra, launcher ------------------------------------

#[test]
fn static_overrides_are_stored() {
    let c = ok(&with(
        "static_overrides: [\"data.path=/scratch\", \"max_epochs=10\"]\n",
    ));
    assert_eq!(c.static_overrides, ["data.path=/scratch", "max_epochs=10"]);
}

#[test]
fn legacy_hydra_static_overrides_are_used_when_top_level_is_absent() {
    let c = ok(&with("hydra: {static_overrides: [\"a=1\", \"b=2\"]}\n"));
    assert_eq!(c.static_overrides, ["a=1", "b=2"]);
}

#[test]
fn top_level_static_overrides_win_over_hydra() {
    let c = ok(&with(
        "static_overrides: [\"new=1\"]\nhydra: {static_overrides: [\"old=1\"]}\n",
    ));
    assert_eq!(c.static_overrides, ["new=1"]);
}

#[test]
fn empty_hydra_gives_no_overrides() {
    assert!(ok(&with("hydra: {}\n")).static_overrides.is_empty());
}

#[test]
fn static_overrides_null_is_an_error() {
    assert_eq!(
        one(&with("static_overrides:\n")),
        "static_overrides: null is not allowed (write [] or remove the key)"
    );
}

#[test]
fn static_override_entries_must_be_clean_strings() {
    assert_eq!(
        one(&with("static_overrides: [\"a=1\\nb\"]\n")),
        "static_overrides[0]: 'a=1\\nb' contains the control character U+000A (remove it: it would break the job script)"
    );
    assert_eq!(
        one(&with("static_overrides: [3]\n")),
        "static_overrides[0]: 3 must be a string (put it in quotes)"
    );
    assert_eq!(
        one(&with("hydra: {static_overrides: [\"a\\tb\"]}\n")),
        "hydra.static_overrides[0]: 'a\\tb' contains the control character U+0009 (remove it: it would break the job script)"
    );
}

#[test]
fn launcher_is_resolved_lexically_against_the_workspace() {
    let c = parse(
        &with("launcher: ../scripts/run.sh\n"),
        Path::new("/scratch/x/hyperherd.yaml"),
        Path::new("/scratch/x"),
    )
    .unwrap();
    assert_eq!(c.launcher, PathBuf::from("/scratch/scripts/run.sh"));
    assert_eq!(
        ok(&with("launcher: /opt/run.sh\n")).launcher,
        PathBuf::from("/opt/run.sh")
    );
    assert_eq!(
        ok(&with("launcher: ~/run.sh\n")).launcher,
        PathBuf::from("/ws/~/run.sh")
    );
    assert_eq!(ok(&with("launcher: \"\"\n")).launcher, PathBuf::new());
}

#[test]
fn launcher_must_be_a_string() {
    assert_eq!(
        one(&with("launcher: [a]\n")),
        "launcher: ['a'] must be a string such as \"./launch.sh\""
    );
}

// ---- slurm ----------------------------------------------------------------

#[test]
fn slurm_block_is_required() {
    let text = BASE.replace("slurm:\n  partition: short\n", "");
    assert_eq!(
        one(&text),
        "slurm: missing (add a slurm: block with at least partition: <name>)"
    );
}

#[test]
fn slurm_null_is_an_error() {
    let text = BASE.replace("slurm:\n  partition: short\n", "slurm:\n");
    assert_eq!(
        one(&text),
        "slurm: null is not allowed (add partition: <name> under slurm:)"
    );
}

#[test]
fn slurm_partition_is_required() {
    let text = BASE.replace("  partition: short\n", "  mem: 1G\n");
    assert_eq!(
        one(&text),
        "slurm.partition: missing (add partition: <name> under slurm:)"
    );
}

#[test]
fn slurm_fields_are_read() {
    let c = ok(&slurm_with(
        "  time: 2-12:30:00\n  mem: 512m\n  cpus_per_task: \" 4 \"\n  gres: gpu:1\n  max_concurrent: 2.0\n  extra_args: [--exclusive, --account=abc]\n",
    ));
    assert_eq!(c.slurm.time, "2-12:30:00");
    assert_eq!(c.slurm.mem, "512m");
    assert_eq!(c.slurm.cpus_per_task, 4);
    assert_eq!(c.slurm.gres.as_deref(), Some("gpu:1"));
    assert_eq!(c.slurm.max_concurrent, Some(2));
    assert_eq!(c.slurm.extra_args, ["--exclusive", "--account=abc"]);
    assert_eq!(
        time_limit_seconds(&c.slurm),
        Some(2 * 86400 + 12 * 3600 + 30 * 60)
    );
}

#[test]
fn slurm_time_unquoted_is_a_string_in_yaml_1_2() {
    assert_eq!(ok(&slurm_with("  time: 4:00:00\n")).slurm.time, "4:00:00");
}

#[test]
fn slurm_time_must_be_a_string() {
    assert_eq!(
        one(&slurm_with("  time: 60\n")),
        "slurm.time: 60 must be a string such as \"01:00:00\" (put it in quotes)"
    );
}

#[test]
fn slurm_time_must_be_a_slurm_time() {
    assert_eq!(
        one(&slurm_with("  time: 4h\n")),
        "slurm.time: '4h' is not a SLURM time (use M, M:S, H:M:S, D-H, D-H:M, D-H:M:S or infinite, e.g. \"04:00:00\")"
    );
}

#[test]
fn slurm_time_formats() {
    let secs = |t: &str| parse_slurm_time(t);
    assert_eq!(secs("90"), Some(Some(5400)));
    assert_eq!(secs("90:30"), Some(Some(5430)));
    assert_eq!(secs("01:00:00"), Some(Some(3600)));
    assert_eq!(secs("1-2"), Some(Some(93600)));
    assert_eq!(secs("1-2:03"), Some(Some(93780)));
    assert_eq!(secs("1-02:03:04"), Some(Some(93784)));
    assert_eq!(secs("infinite"), Some(None));
    assert_eq!(secs("UNLIMITED"), Some(None));
    for bad in [
        "",
        "1:2:3:4",
        "1-",
        "-1",
        "1-2:3:4:5",
        "a",
        "1.5",
        " 10",
        "1--2",
        "1234567890",
    ] {
        assert_eq!(secs(bad), None, "{bad:?}");
    }
}

#[test]
fn time_limit_seconds_is_none_without_a_limit() {
    assert_eq!(
        time_limit_seconds(&ok(&slurm_with("  time: UNLIMITED\n")).slurm),
        None
    );
    assert_eq!(
        time_limit_seconds(&ok(&slurm_with("  time: \"0\"\n")).slurm),
        None
    );
    assert_eq!(time_limit_seconds(&ok(BASE).slurm), Some(3600));
}

#[test]
fn slurm_mem_must_be_a_string() {
    assert_eq!(
        one(&slurm_with("  mem: 16\n")),
        "slurm.mem: 16 must be a string such as \"16G\" (put it in quotes)"
    );
}

#[test]
fn slurm_mem_must_be_a_size() {
    assert_eq!(
        one(&slurm_with("  mem: 16GB\n")),
        "slurm.mem: '16GB' is not a SLURM memory size (use digits with an optional K, M, G or T suffix, e.g. \"16G\")"
    );
}

#[test]
fn slurm_partition_with_a_newline_is_rejected() {
    let text = BASE.replace("partition: short", "partition: \"short\\n#SBATCH --x\"");
    assert_eq!(
        one(&text),
        "slurm.partition: 'short\\n#SBATCH --x' contains the control character U+000A (remove it: it would break the job script)"
    );
}

#[test]
fn slurm_gres_and_extra_args_reject_control_characters() {
    assert!(one(&slurm_with("  gres: \"gpu:1\\r\"\n"))
        .starts_with("slurm.gres: 'gpu:1\\r' contains the control character U+000D"));
    assert!(one(&slurm_with("  extra_args: [\"--a\\u007f\"]\n"))
        .starts_with("slurm.extra_args[0]: '--a\\x7f' contains the control character U+007F"));
}

#[test]
fn slurm_empty_gres_means_none() {
    assert_eq!(ok(&slurm_with("  gres: \"\"\n")).slurm.gres, None);
    assert_eq!(ok(&slurm_with("  gres:\n")).slurm.gres, None);
}

#[test]
fn slurm_max_concurrent_must_be_at_least_one() {
    assert_eq!(
        one(&slurm_with("  max_concurrent: 0\n")),
        "slurm.max_concurrent: 0 is not allowed (max_concurrent must be at least 1)"
    );
    assert_eq!(
        ok(&slurm_with("  max_concurrent:\n")).slurm.max_concurrent,
        None
    );
}

#[test]
fn slurm_extra_args_null_is_an_error() {
    assert_eq!(
        one(&slurm_with("  extra_args:\n")),
        "slurm.extra_args: null is not allowed (write [] or remove the key)"
    );
}

#[test]
fn integer_fields_are_lax_but_not_bools() {
    assert_eq!(
        ok(&slurm_with("  cpus_per_task: \"4.0\"\n"))
            .slurm
            .cpus_per_task,
        4
    );
    assert_eq!(
        ok(&slurm_with("  cpus_per_task: 3.0\n"))
            .slurm
            .cpus_per_task,
        3
    );
    assert_eq!(
        one(&slurm_with("  cpus_per_task: 2.5\n")),
        "slurm.cpus_per_task: 2.5 must be a whole number"
    );
    assert_eq!(
        one(&slurm_with("  cpus_per_task: true\n")),
        "slurm.cpus_per_task: true must be a whole number"
    );
    assert_eq!(
        one(&slurm_with("  cpus_per_task: \"1e1\"\n")),
        "slurm.cpus_per_task: '1e1' must be a whole number"
    );
    assert_eq!(
        one(&slurm_with("  cpus_per_task: \"0x10\"\n")),
        "slurm.cpus_per_task: '0x10' must be a whole number"
    );
    assert_eq!(
        one(&slurm_with("  cpus_per_task: 1e30\n")),
        "slurm.cpus_per_task: 1e+30 is too large"
    );
}

// ---- grid and defaults ----------------------------------------------------

#[test]
fn grid_must_be_exactly_all_or_a_list() {
    assert_eq!(
        one(&BASE.replace("grid: all", "grid: ALL")),
        "grid: 'ALL' must be all, random, sobol or a list of parameter names (or left out: one parameter at a time)"
    );
}

#[test]
fn grid_list_with_unknown_names_is_reported() {
    assert_eq!(
        one(&BASE.replace("grid: all", "grid: [lr, z, w]")),
        "grid: grid references unknown parameters: ['z', 'w'] (parameters are: ['lr'])"
    );
    assert_eq!(
        one(&BASE.replace("grid: all", "grid: [lr, 3]")),
        "grid[1]: 3 must be a string (put it in quotes)"
    );
}

#[test]
fn grid_null_means_one_at_a_time_and_empty_list_is_kept() {
    let text = BASE
        .replace("grid: all", "grid:")
        .replace("abbrev: lr", "default: 0.1");
    assert_eq!(ok(&text).grid, Grid::OneAtATime);
    let text = BASE
        .replace("grid: all", "grid: []")
        .replace("abbrev: lr", "default: 0.1");
    assert_eq!(ok(&text).grid, Grid::List(vec![]));
}

#[test]
fn without_grid_every_missing_default_is_reported_in_order() {
    let text = "name: t\nslurm: {partition: p}\nparameters:\n  b: {type: discrete, values: [1]}\n  a: {type: discrete, values: [1], default: 1}\n  c: {type: continuous, low: 0, high: 1}\n";
    assert_eq!(
        problems(text),
        [
            "parameters.b: parameter 'b' needs a default value (grid is not set, so all parameters need defaults: add 'default:' or use 'grid: all')",
            "parameters.c: parameter 'c' needs a default value (grid is not set, so all parameters need defaults: add 'default:' or use 'grid: all')",
        ]
    );
}

#[test]
fn grid_list_needs_defaults_for_the_rest() {
    let text = "name: t\ngrid: [a]\nslurm: {partition: p}\nparameters:\n  a: {type: discrete, values: [1]}\n  y: {type: discrete, values: [1]}\n";
    assert_eq!(
        one(text),
        "parameters.y: parameter 'y' needs a default value (it is not in the grid: add 'default:' or list it in grid)"
    );
}

// ---- parameters -----------------------------------------------------------

#[test]
fn parameters_are_required_and_non_empty() {
    let head = "name: t\ngrid: all\nslurm: {partition: p}\n";
    assert_eq!(
        one(head),
        "parameters: missing (add e.g. lr: {type: discrete, values: [0.1, 0.01]} under parameters:)"
    );
    assert_eq!(
        one(&format!("{head}parameters: {{}}\n")),
        "parameters: the sweep needs at least one parameter (add e.g. lr: {type: discrete, values: [0.1, 0.01]})"
    );
    assert_eq!(
        one(&format!("{head}parameters: [a]\n")),
        "parameters: ['a'] must be a mapping of parameter name to spec"
    );
}

#[test]
fn parameter_spec_must_be_a_mapping() {
    assert_eq!(
        one(&params("  lr: [1, 2]\n")),
        "parameters.lr: [1, 2] must be a mapping with type: discrete or type: continuous"
    );
}

#[test]
fn parameter_type_is_required_and_checked() {
    assert_eq!(
        one(&params("  lr: {values: [1]}\n")),
        "parameters.lr.type: missing (add type: discrete or type: continuous)"
    );
    assert_eq!(
        one(&params("  lr: {type: Discrete, values: [1]}\n")),
        "parameters.lr.type: 'Discrete' is not a parameter type (use discrete or continuous)"
    );
    assert_eq!(
        problems(&params("  lr: {typ: discrete, values: [1]}\n")),
        [
            "parameters.lr.typ: unknown key (did you mean 'type'?)",
            "parameters.lr.type: missing (add type: discrete or type: continuous)",
        ]
    );
}

#[test]
fn discrete_values_are_required_non_empty_lists() {
    assert_eq!(
        one(&params("  lr: {type: discrete}\n")),
        "parameters.lr.values: missing (add values: [...] with at least one value)"
    );
    assert_eq!(
        one(&params("  lr: {type: discrete, values: []}\n")),
        "parameters.lr.values: [] is empty (give at least one value)"
    );
    assert_eq!(
        one(&params("  lr: {type: discrete, values: 3}\n")),
        "parameters.lr.values: 3 must be a list of values such as [0.1, 0.01]"
    );
}

#[test]
fn discrete_values_keep_their_yaml_1_2_types() {
    let c = ok(&params(
        "  x:\n    type: discrete\n    values: [1e-3, 1.0e-3, yes, '010', null, true, \"1\", 0x10]\n",
    ));
    assert_eq!(
        discrete_values(&c, 0).0,
        vec![
            Value::Float(0.001),
            Value::Float(0.001),
            Value::Str("yes".into()),
            Value::Str("010".into()),
            Value::Null,
            Value::Bool(true),
            Value::Str("1".into()),
            Value::Int(16)
        ]
    );
}

#[test]
fn numbers_yaml_1_1_and_1_2_read_differently_are_refused() {
    // B22: YAML 1.1 (the reference) reads 010 as 8, YAML 1.2 as 10, serde_norway
    // as the string "010"; each such form is refused with its line and the fix.
    let p = problems(&params(
        "  x: {type: discrete, values: [010, 0b101, 0o17, 1_000, 7]}\n  y:\n    type: discrete\n    values:\n      - 1:30\n      - '1:30'\n",
    ));
    let at: Vec<&str> = p.iter().map(|l| &l[..l.find(':').unwrap_or(0)]).collect();
    assert_eq!(
        at,
        [
            "ambiguous YAML number 010 at line 6 column 32 (the value of 'values')",
            "ambiguous YAML number 0b101 at line 6 column 37 (the value of 'values')",
            "ambiguous YAML number 0o17 at line 6 column 44 (the value of 'values')",
            "ambiguous YAML number 1_000 at line 6 column 50 (the value of 'values')",
            "ambiguous YAML number 1",
        ]
    );
    // slurm.time stays a string in YAML 1.2 (base 60 only matters for values).
    assert_eq!(ok(&slurm_with("  time: 4:00:00\n")).slurm.time, "4:00:00");
    assert!(
        one(&slurm_with("  cpus_per_task: 08\n")).contains("ambiguous YAML number 08 at line 5")
    );
}

#[test]
fn list_values_are_rejected_with_a_string_suggestion() {
    assert_eq!(
        one(&params("  shape: {type: discrete, values: [[3, 5], 7]}\n")),
        "parameters.shape.values[0]: [3, 5] is a list; values must be scalars (write it as a string such as '3x5' and decode it in the launcher)"
    );
}

#[test]
fn mapping_values_and_defaults_are_rejected() {
    assert_eq!(
        one(&params("  m: {type: discrete, values: [{a: 1}]}\n")),
        "parameters.m.values[0]: {'a': 1} is a mapping; values must be scalars (write it as a string such as '3x5' and decode it in the launcher)"
    );
    assert_eq!(
        one(&params("  m: {type: discrete, values: [1], default: [1]}\n")),
        "parameters.m.default: [1] is a list; values must be scalars (write it as a string such as '3x5' and decode it in the launcher)"
    );
}

#[test]
fn non_finite_values_are_rejected() {
    assert_eq!(
        one(&params("  x: {type: discrete, values: [.inf, 1]}\n")),
        "parameters.x.values[0]: inf is not a finite number (JSON cannot store it)"
    );
}

#[test]
fn string_values_with_whitespace_are_rejected() {
    assert_eq!(
        one(&params("  opt: {type: discrete, values: [adam, \"adam w\"]}\n")),
        "parameters.opt.values[1]: 'adam w' contains whitespace (values are passed to the launcher in one space-separated string; write e.g. 'adam_w')"
    );
}

#[test]
fn string_values_with_control_characters_are_rejected() {
    assert_eq!(
        one(&params("  opt: {type: discrete, values: [\"a\\u0001\"]}\n")),
        "parameters.opt.values[0]: 'a\\x01' contains the control character U+0001 (values are passed to the launcher in one space-separated string; remove it)"
    );
}

#[test]
fn values_with_a_slash_need_labels() {
    let p = problems(&params("  ckpt: {type: discrete, values: [/p/a, /p/b]}\n"));
    assert_eq!(p.len(), 2);
    assert!(
        p[0].starts_with(
            "parameters.ckpt.values[0]: value '/p/a' contains '/'; provide a `labels:` list"
        ),
        "{p:?}"
    );
}

#[test]
fn labels_are_stored_one_per_value() {
    let c = ok(&params("  ckpt: {type: discrete, values: [/p/a, /p/b], labels: [a, b]}\n  lr: {type: discrete, values: [1]}\n"));
    assert_eq!(
        discrete_values(&c, 0).1,
        Some(vec!["a".to_string(), "b".to_string()])
    );
    assert_eq!(discrete_values(&c, 1).1, None);
}

#[test]
fn labels_may_not_contain_a_slash() {
    assert_eq!(
        one(&params(
            "  c: {type: discrete, values: [/p/a], labels: [x/y]}\n"
        )),
        "parameters.c.labels[0]: labels may not contain '/', got: 'x/y'"
    );
}

#[test]
fn labels_must_match_values_one_to_one() {
    assert_eq!(
        one(&params(
            "  c: {type: discrete, values: [1, 2, 3], labels: [a, b]}\n"
        )),
        "parameters.c.labels: labels has 2 entries but values has 3; they must match 1-to-1"
    );
}

#[test]
fn labels_must_be_unique() {
    assert_eq!(
        one(&params(
            "  c: {type: discrete, values: [1, 2], labels: [x, x]}\n"
        )),
        "parameters.c.labels: labels must be unique, got: ['x', 'x'] (repeated: ['x'])"
    );
    assert_eq!(
        one(&params("  c: {type: discrete, values: [1, 2, 3, 4, 5], labels: [x, y, x, y, x]}\n")),
        "parameters.c.labels: labels must be unique, got: ['x', 'y', 'x', 'y', 'x'] (repeated: ['x', 'y'])"
    );
}

#[test]
fn labels_must_be_non_empty_strings() {
    assert_eq!(
        one(&params(
            "  c: {type: discrete, values: [1, 2], labels: [x, \"\"]}\n"
        )),
        "parameters.c.labels: labels must be non-empty strings, got: ['x', '']"
    );
    assert_eq!(
        one(&params("  c: {type: discrete, values: [1], labels: x}\n")),
        "parameters.c.labels: 'x' must be a list of strings, one per value"
    );
}

#[test]
fn labels_with_whitespace_are_rejected() {
    assert_eq!(
        one(&params("  c: {type: discrete, values: [1], labels: [\"a b\"]}\n")),
        "parameters.c.labels[0]: 'a b' contains whitespace (values are passed to the launcher in one space-separated string; write e.g. 'a_b')"
    );
}

#[test]
fn discrete_default_must_be_one_of_the_values() {
    let text = "name: t\nslurm: {partition: p}\nparameters:\n  opt: {type: discrete, values: [adam, sgd], default: rmsprop}\n";
    assert_eq!(
        one(text),
        "parameters.opt.default: default 'rmsprop' is not in values: ['adam', 'sgd'] (use one of the values)"
    );
}

#[test]
fn discrete_default_uses_python_equality() {
    let c = ok(&params("  x: {type: discrete, values: [1, 2], default: 1.0}\n  b: {type: discrete, values: [1], default: true}\n"));
    assert_eq!(c.parameters[0].default, Some(Value::Float(1.0)));
    assert_eq!(c.parameters[1].default, Some(Value::Bool(true)));
    assert_eq!(
        one(&params(
            "  x: {type: discrete, values: [1, 2], default: \"1\"}\n"
        )),
        "parameters.x.default: default '1' is not in values: [1, 2] (use one of the values)"
    );
}

#[test]
fn continuous_is_read_with_float_defaults() {
    let c = ok(&params(
        "  lr: {type: continuous, low: 1e-4, high: \"1e-2\", scale: log, steps: 3, default: 1}\n",
    )
    .replace("1}", "0.001}"));
    let ParamKind::Continuous {
        low,
        high,
        scale,
        steps,
    } = c.parameters[0].kind.clone()
    else {
        panic!()
    };
    assert_eq!((low, high, scale, steps), (1e-4, 1e-2, Scale::Log, 3));
    assert_eq!(c.parameters[0].default, Some(Value::Float(0.001)));
    let c = ok(&params(
        "  x: {type: continuous, low: 0, high: \"1_0\", default: 1}\n",
    ));
    let ParamKind::Continuous {
        high, scale, steps, ..
    } = c.parameters[0].kind.clone()
    else {
        panic!()
    };
    assert_eq!((high, scale, steps), (10.0, Scale::Linear, 5));
    assert_eq!(c.parameters[0].default, Some(Value::Float(1.0)));
}

#[test]
fn continuous_low_must_be_below_high() {
    assert_eq!(
        one(&params("  x: {type: continuous, low: 1, high: 1.0}\n")),
        "parameters.x: low (1.0) must be less than high (1.0)"
    );
}

#[test]
fn continuous_log_needs_positive_low() {
    assert_eq!(
        one(&params(
            "  x: {type: continuous, low: 0, high: 1, scale: log}\n"
        )),
        "parameters.x.low: log scale requires low > 0, got 0.0"
    );
}

#[test]
fn continuous_steps_must_be_at_least_one() {
    assert_eq!(
        one(&params(
            "  lr: {type: continuous, low: 0, high: 1, steps: 0}\n"
        )),
        "parameters.lr.steps: 0 is not allowed (steps must be at least 1)"
    );
}

#[test]
fn continuous_default_must_be_in_range() {
    assert_eq!(
        one(&params(
            "  x: {type: continuous, low: 0, high: 1, default: 2}\n"
        )),
        "parameters.x.default: default 2.0 is outside range [0.0, 1.0]"
    );
}

#[test]
fn continuous_scale_is_linear_or_log() {
    assert_eq!(
        one(&params(
            "  x: {type: continuous, low: 0, high: 1, scale: Log}\n"
        )),
        "parameters.x.scale: 'Log' is not a scale (use linear or log)"
    );
}

#[test]
fn continuous_bounds_are_required_finite_numbers() {
    assert_eq!(
        one(&params("  x: {type: continuous, high: 1}\n")),
        "parameters.x.low: missing (add low: <number>)"
    );
    assert_eq!(
        one(&params("  x: {type: continuous, low: abc, high: 1}\n")),
        "parameters.x.low: 'abc' must be a number"
    );
    assert_eq!(
        one(&params("  x: {type: continuous, low: true, high: 1}\n")),
        "parameters.x.low: true must be a number"
    );
    assert_eq!(
        one(&params("  x: {type: continuous, low: 0, high: .inf}\n")),
        "parameters.x.high: inf is not a finite number (JSON cannot store it)"
    );
    assert_eq!(
        one(&params("  x: {type: continuous, low: \"nan\", high: 1}\n")),
        "parameters.x.low: 'nan' is not a finite number (JSON cannot store it)"
    );
}

#[test]
fn python_float_syntax_for_strings() {
    assert_eq!(parse_py_float(" 2 "), Some(2.0));
    assert_eq!(parse_py_float("1_000.5"), Some(1000.5));
    assert_eq!(parse_py_float("5."), Some(5.0));
    assert_eq!(parse_py_float(".5e-3"), Some(0.0005));
    assert!(parse_py_float("-Infinity").is_some_and(|f| f == f64::NEG_INFINITY));
    for bad in ["_1", "1_", "1__0", "1_.5", "0x10", "", "e5", "1e"] {
        assert_eq!(parse_py_float(bad), None, "{bad:?}");
    }
}

// ---- name safety (test_config.py) -----------------------------------------

#[test]
fn token_is_the_name_without_abbrev() {
    let c = ok(&params("  learning_rate: {type: discrete, values: [1]}\n  model.lr: {type: discrete, values: [1]}\n"));
    assert_eq!(c.parameters[0].token(), "learning_rate");
    assert_eq!(c.parameters[1].token(), "model.lr");
}

#[test]
fn unsafe_name_without_abbrev_is_rejected() {
    assert_eq!(
        one(&params("  foo/bar: {type: discrete, values: [1]}\n")),
        "parameters.foo/bar: parameter name 'foo/bar' contains characters unsafe for filenames or override syntax (allowed: letters, digits, '.', '_', '-'). Set an explicit `abbrev:` on this parameter so the experiment name stays clean."
    );
    assert_eq!(
        ok(&params(
            "  foo/bar: {type: discrete, values: [1], abbrev: fb}\n"
        ))
        .parameters[0]
            .token(),
        "fb"
    );
}

#[test]
fn name_with_a_space_and_no_abbrev_reports_unsafe_and_forbidden() {
    let p = problems(&params("  learning rate: {type: discrete, values: [1]}\n"));
    assert_eq!(p.len(), 2);
    assert!(p[0].contains("unsafe for filenames"), "{p:?}");
    assert!(p[1].contains("forbidden characters [' ']"), "{p:?}");
}

#[test]
fn unsafe_abbrev_is_rejected() {
    assert_eq!(
        one(&params("  lr: {type: discrete, values: [1], abbrev: bad/abbrev}\n")),
        "parameters.lr.abbrev: parameter 'lr': abbrev 'bad/abbrev' contains characters that would corrupt file paths or override syntax; allowed characters are letters, digits, '.', '_', '-'"
    );
    assert!(one(&params(
        "  lr: {type: discrete, values: [1], abbrev: \"\"}\n"
    ))
    .contains("abbrev '' contains characters"));
}

#[test]
fn forbidden_characters_in_names_are_rejected_even_with_abbrev() {
    assert_eq!(
        one(&params("  \"foo'bar\": {type: discrete, values: [1], abbrev: fb}\n")),
        "parameters.foo'bar: parameter name \"foo'bar\" contains forbidden characters [\"'\"]; rename the parameter (they break the override syntax)"
    );
    assert!(one(&params(
        "  foo=bar: {type: discrete, values: [1], abbrev: fb}\n"
    ))
    .contains("forbidden characters ['=']"));
    assert!(one(&params(
        "  foo bar: {type: discrete, values: [1], abbrev: fb}\n"
    ))
    .contains("forbidden characters [' ']"));
    assert!(one(&params(
        "  \"a\\u0002b\": {type: discrete, values: [1], abbrev: fb}\n"
    ))
    .contains("forbidden characters ['\\x02']"));
}

#[test]
fn hydra_prefixed_names_with_abbrev_are_accepted() {
    let c = ok(&params(
        "  +experiment: {type: discrete, values: [1], abbrev: exp}\n  ++mode: {type: discrete, values: [1], abbrev: m}\n  ~legacy: {type: discrete, values: [1], abbrev: lg}\n",
    ));
    let e: Vec<&str> = c.parameters.iter().map(Parameter::expr_name).collect();
    assert_eq!(e, ["experiment", "mode", "legacy"]);
}

#[test]
fn expression_namespace_collision_is_rejected() {
    assert_eq!(
        one(&params("  experiment: {type: discrete, values: [1]}\n  +experiment: {type: discrete, values: [1], abbrev: e}\n")),
        "parameters.+experiment: Parameter name collision in expression namespace: 'experiment' and '+experiment' both expose as 'experiment' (rename one of them)"
    );
}

// ---- conditions -------------------------------------------------------------

#[test]
fn condition_with_only_set_is_valid_and_stored() {
    let c = ok(&conds("  - set: {foo.bar: 1}\n    when: {opt: adam}\n"));
    assert_eq!(c.conditions.len(), 1);
    assert_eq!(c.conditions[0].name, "unnamed");
    let [(k, SetValue::Literal(v))] = c.conditions[0].set.as_slice() else {
        panic!()
    };
    assert_eq!((k.as_str(), v), ("foo.bar", &Value::Int(1)));
}

#[test]
fn condition_with_only_when_is_rejected() {
    assert_eq!(
        one(&conds("  - name: x\n    when: {opt: sgd}\n")),
        "conditions[0]: Constraint 'x': must have at least one of 'exclude', 'force', or 'set' (a condition with only 'when' does nothing)"
    );
    assert!(one(&conds(
        "  - when: {opt: sgd}\n    exclude: {}\n    set: {}\n"
    ))
    .contains("must have at least one of"));
}

#[test]
fn condition_literals_keep_their_types() {
    let c = ok(&conds(
        "  - when: {opt: adam, lr: {le: \"1e-3\"}}\n    exclude: {opt: [sgd], lr: 0.1}\n",
    ));
    let cond = &c.conditions[0];
    let When::Param(p0, Matcher::Eq(Value::Str(s))) = &cond.when[0] else {
        panic!("{:?}", cond.when)
    };
    assert_eq!((p0.as_str(), s.as_str()), ("opt", "adam"));
    // compat (B13): "1e-3" stays a string; the expander compares it numerically.
    let When::Param(_, Matcher::Op(Op::Le, Value::Str(t))) = &cond.when[1] else {
        panic!("{:?}", cond.when)
    };
    assert_eq!(t, "1e-3");
    assert_eq!(
        cond.exclude[0],
        ("opt".to_string(), vec![Value::Str("sgd".into())])
    );
    assert_eq!(cond.exclude[1], ("lr".to_string(), vec![Value::Float(0.1)]));
}

#[test]
fn condition_matchers_and_actions_are_read() {
    let c = ok(&conds(
        "  - name: c1\n    when: {opt: [sgd, adam], y: {in: [1, 3]}, lr: {gt: 0.01}}\n    force: {y: 5}\n    set: {sched.tag: {expr: \"opt + '-x'\"}, warm: 100}\n",
    ));
    let cond = &c.conditions[0];
    assert_eq!(cond.name, "c1");
    assert!(
        matches!(&cond.when[0], When::Param(p, Matcher::AnyOf(v)) if p == "opt" && v.len() == 2)
    );
    assert!(
        matches!(&cond.when[1], When::Param(p, Matcher::Op(Op::In, Value::List(_))) if p == "y")
    );
    assert!(
        matches!(&cond.when[2], When::Param(_, Matcher::Op(Op::Gt, Value::Float(f))) if *f == 0.01)
    );
    assert_eq!(cond.force.get("y"), Some(&Value::Int(5)));
    assert!(
        matches!(&cond.set[0], (k, SetValue::Expr(e)) if k == "sched.tag" && e.source() == "opt + '-x'")
    );
    assert!(matches!(&cond.set[1], (k, SetValue::Literal(Value::Int(100))) if k == "warm"));
}

#[test]
fn condition_when_expr_is_read() {
    let c = ok(&conds(
        "  - when: {expr: \"y > 1\"}\n    exclude: {y: [3]}\n",
    ));
    assert!(matches!(&c.conditions[0].when[0], When::Expr(e) if e.source() == "y > 1"));
}

#[test]
fn condition_when_expr_must_be_a_non_empty_string() {
    assert_eq!(
        one(&conds(
            "  - name: x\n    when: {expr: \"\"}\n    set: {a: 1}\n"
        )),
        "conditions[0].when.expr: Constraint 'x': 'when.expr' must be a non-empty string, got ''"
    );
}

#[test]
fn operator_map_must_have_one_key() {
    assert_eq!(
        one(&conds("  - name: x\n    when: {lr: {lt: 1, gt: 0}}\n    set: {a: 1}\n")),
        "conditions[0].when.lr: Constraint 'x': operator-map for 'lr' must have exactly one operator key, got ['gt', 'lt']"
    );
}

#[test]
fn unknown_operator_is_rejected() {
    assert_eq!(
        one(&conds("  - name: x\n    when: {lr: {approx: 0.1}}\n    set: {a: 1}\n")),
        "conditions[0].when.lr: Constraint 'x': unknown operator 'approx' for 'lr'. Valid operators: ['eq', 'ge', 'gt', 'in', 'le', 'lt', 'ne', 'not_in']"
    );
}

#[test]
fn in_operator_requires_a_list() {
    assert_eq!(
        one(&conds(
            "  - name: x\n    when: {y: {in: 3}}\n    set: {a: 1}\n"
        )),
        "conditions[0].when.y.in: Constraint 'x': operator 'in' on 'y' requires a list value"
    );
}

#[test]
fn comparison_operator_with_a_list_is_rejected() {
    assert_eq!(
        one(&conds("  - name: x\n    when: {y: {eq: [3, 5]}}\n    set: {a: 1}\n")),
        "conditions[0].when.y.eq: Constraint 'x': operator 'eq' compares with one value, got [3, 5] (to match any of several values use in: [...])"
    );
}

#[test]
fn nested_lists_in_matchers_are_rejected() {
    assert_eq!(
        one(&conds("  - name: x\n    when: {y: [[3]]}\n    set: {a: 1}\n")),
        "conditions[0].when.y[0]: Constraint 'x': [3] is a list; parameter values are scalars, so it can never match"
    );
}

#[test]
fn when_exclude_force_must_reference_parameters() {
    assert_eq!(
        one(&conds("  - name: x\n    when: {nonexistent: val}\n    set: {a: 1}\n")),
        "conditions[0].when.nonexistent: Constraint 'x': 'when' references unknown parameter 'nonexistent' (parameters are: ['opt', 'lr', 'y'])"
    );
    assert!(
        one(&conds("  - when: {opt: sgd}\n    exclude: {bogus: [1]}\n"))
            .contains("'exclude' references unknown parameter 'bogus'")
    );
    assert!(one(&conds("  - when: {opt: sgd}\n    force: {bogus: 1}\n"))
        .contains("'force' references unknown parameter 'bogus'"));
}

#[test]
fn when_is_required_and_non_empty() {
    assert_eq!(
        one(&conds("  - name: x\n    set: {a: 1}\n")),
        "conditions[0].when: Constraint 'x': 'when' is missing (add when: {parameter: value})"
    );
    assert_eq!(
        one(&conds("  - name: x\n    when: {}\n    set: {a: 1}\n")),
        "conditions[0].when: Constraint 'x': 'when' must have at least one entry (parameter: value, or expr: \"...\")"
    );
}

#[test]
fn force_values_must_be_clean_scalars() {
    assert_eq!(
        one(&conds("  - name: x\n    when: {opt: sgd}\n    force: {y: [1, 2]}\n")),
        "conditions[0].force.y: Constraint 'x': [1, 2] is a list; values must be scalars (write it as a string such as '3x5' and decode it in the launcher)"
    );
    assert!(
        one(&conds("  - when: {opt: sgd}\n    force: {opt: \"a b\"}\n"))
            .contains("'a b' contains whitespace")
    );
}

#[test]
fn set_literal_mappings_and_lists_are_rejected() {
    assert_eq!(
        one(&conds("  - name: x\n    when: {opt: sgd}\n    set: {thing: {foo: bar}}\n")),
        "conditions[0].set.thing: Constraint 'x': {'foo': 'bar'} is a mapping; values must be scalars (write it as a string such as '3x5' and decode it in the launcher)"
    );
    assert!(one(&conds("  - when: {opt: sgd}\n    set: {thing: [1]}\n"))
        .contains("[1] is a list; values must be scalars"));
}

#[test]
fn set_literal_strings_must_not_contain_whitespace() {
    assert_eq!(
        one(&conds("  - name: x\n    when: {opt: sgd}\n    set: {tag: \"a b\"}\n")),
        "conditions[0].set.tag: Constraint 'x': 'a b' contains whitespace (values are passed to the launcher in one space-separated string; write e.g. 'a_b')"
    );
}

#[test]
fn set_keys_are_checked() {
    assert_eq!(
        one(&conds(
            "  - name: x\n    when: {opt: sgd}\n    set: {\"\": 1}\n"
        )),
        "conditions[0].set.: Constraint 'x': set keys must be non-empty strings"
    );
    assert_eq!(
        one(&conds("  - name: x\n    when: {opt: sgd}\n    set: {a=b: 1}\n")),
        "conditions[0].set.a=b: Constraint 'x': set key 'a=b' contains forbidden characters ['=']; rename it (they break the override syntax)"
    );
}

#[test]
fn set_expr_must_be_a_non_empty_string() {
    assert_eq!(
        one(&conds(
            "  - name: x\n    when: {opt: sgd}\n    set: {k: {expr: 3}}\n"
        )),
        "conditions[0].set.k.expr: Constraint 'x': 'set.k.expr' must be a non-empty string, got 3"
    );
}

#[test]
fn conditions_null_or_not_a_list_is_an_error() {
    assert_eq!(
        one(&conds("")),
        "conditions: null is not allowed (write [] or remove the key)"
    );
    assert_eq!(
        one(&conds("  a: 1\n")),
        "conditions: {'a': 1} must be a list of conditions"
    );
    assert_eq!(
        one(&conds("  - 3\n")),
        "conditions[0]: 3 must be a mapping with when: and exclude:, force: or set:"
    );
}

#[test]
fn legacy_constraints_key_is_read_and_validated() {
    let text = conds("  - when: {opt: sgd}\n    exclude: {lr: [0.1]}\n")
        .replace("conditions:", "constraints:");
    assert_eq!(ok(&text).conditions.len(), 1);
    let text = conds("  - when: {nonexistent: val}\n    exclude: {lr: [0.1]}\n")
        .replace("conditions:", "constraints:");
    assert!(one(&text).starts_with("constraints[0].when.nonexistent: Constraint 'unnamed': 'when' references unknown parameter"));
}

#[test]
fn conditions_win_over_constraints() {
    let text = conds(
        "  - when: {opt: sgd}\n    exclude: {lr: [0.1]}\nconstraints:\n  - when: {bogus: 1}\n",
    );
    assert_eq!(ok(&text).conditions.len(), 1);
}

#[test]
fn expressions_are_validated_with_parameter_expression_names() {
    if !real_expr() {
        return; // lib/expr.rs is still the placeholder interface
    }
    let p = one(&conds(
        "  - name: x\n    when: {expr: \"z > 1\"}\n    exclude: {y: [3]}\n",
    ));
    assert!(
        p.starts_with("conditions[0].when.expr: Constraint 'x': "),
        "{p}"
    );
    assert!(p.contains("Unknown name"), "{p}");
    let p = one(&conds(
        "  - name: x\n    when: {opt: sgd}\n    set: {x: {expr: \"abs(y)\"}}\n",
    ));
    assert!(
        p.starts_with("conditions[0].set.x: Constraint 'x': set.x: "),
        "{p}"
    );
    assert!(p.contains("Disallowed function"), "{p}");
    ok(&conds(
        "  - when: {y: {ge: 0}}\n    set: {x: {expr: \"min(max(y, 0), 10)\"}}\n",
    ));
    let c = ok(&params("  +experiment: {type: discrete, values: [a], abbrev: e}\nconditions:\n  - when: {expr: \"experiment == 'a'\"}\n    set: {n: 1}\n"));
    assert_eq!(c.conditions.len(), 1);
}

// ---- successive halving and prune grace -------------------------------------

#[test]
fn successive_halving_is_read_with_defaults() {
    let c = ok(&with(
        "successive_halving: {metric: val_loss, direction: min, min_steps: 10, budget: 80}\n",
    ));
    let h = c.successive_halving.unwrap();
    assert_eq!(
        (
            h.metric.as_str(),
            h.maximize,
            h.min_steps,
            h.budget,
            h.eta,
            h.asha
        ),
        ("val_loss", false, 10, 80, 2, false)
    );
    let c = ok(&with("successive_halving: {metric: acc, direction: max, min_steps: 1, budget: 9, eta: 3, mode: asha}\n"));
    let h = c.successive_halving.unwrap();
    assert_eq!((h.maximize, h.eta, h.asha), (true, 3, true));
    assert!(ok(&with("successive_halving:\n"))
        .successive_halving
        .is_none());
}

#[test]
fn successive_halving_min_steps_must_not_exceed_budget() {
    assert_eq!(
        one(&with(
            "successive_halving: {metric: l, direction: min, min_steps: 20, budget: 10}\n"
        )),
        "successive_halving: successive_halving.min_steps (20) must be <= budget (10)"
    );
}

#[test]
fn successive_halving_fields_are_checked() {
    assert_eq!(
        problems(&with(
            "successive_halving: {direction: up, min_steps: 0, budget: 4, eta: 1, mode: fast}\n"
        )),
        [
            "successive_halving.metric: missing (add metric: <name of a streamed metric>)",
            "successive_halving.direction: 'up' must be min or max",
            "successive_halving.min_steps: 0 is not allowed (min_steps must be at least 1)",
            "successive_halving.eta: 1 is not allowed (eta must be at least 2)",
            "successive_halving.mode: 'fast' must be sync or asha",
        ]
    );
}

#[test]
fn prune_grace_seconds_is_a_non_negative_integer() {
    assert_eq!(
        ok(&with("prune_grace_seconds: \"30\"\n")).prune_grace_seconds,
        30
    );
    assert_eq!(
        one(&with("prune_grace_seconds: -1\n")),
        "prune_grace_seconds: -1 is not allowed (prune_grace_seconds must not be negative)"
    );
}

// ---- retries, notify, slurm.max_queued and slurm.signal_grace ----------------

fn scale(mem: Option<f64>, time: Option<f64>) -> OnEnd {
    OnEnd::Scale { mem, time }
}

#[test]
fn retries_absent_or_null_are_the_defaults() {
    let d = ok(BASE).retries;
    assert_eq!(d, Retries::default());
    assert_eq!(d.attempts, 3);
    assert_eq!(d.out_of_memory, scale(Some(2.0), None));
    assert_eq!(d.timeout, scale(None, Some(1.5)));
    assert_eq!(
        (&d.node_fail, &d.preempted, &d.boot_fail, &d.failed),
        (&OnEnd::Same, &OnEnd::Same, &OnEnd::Same, &OnEnd::Never)
    );
    assert_eq!((d.max_mem, d.max_time), (None, None));
    assert_eq!(ok(&with("retries:\n")).retries, Retries::default());
    assert!(ok(BASE).notify.is_none());
    assert!(ok(&with("notify:\n")).notify.is_none());
}

#[test]
fn retries_false_retries_nothing() {
    let r = ok(&with("retries: false\n")).retries;
    assert_eq!(r.attempts, 1);
    for rule in [
        &r.out_of_memory,
        &r.timeout,
        &r.node_fail,
        &r.preempted,
        &r.boot_fail,
        &r.failed,
    ] {
        assert_eq!(rule, &OnEnd::Never);
    }
}

#[test]
fn retries_block_is_read() {
    let r = ok(&with(
        "retries:\n  attempts: 5\n  out_of_memory: {mem: 4, time: 1.25}\n  timeout: {time: 2}\n  node_fail: never\n  preempted: same\n  boot_fail: {mem: 1.5}\n  failed: same\n  max_mem: 64G\n  max_time: 2-00:00:00\n",
    ))
    .retries;
    assert_eq!(r.attempts, 5);
    assert_eq!(r.out_of_memory, scale(Some(4.0), Some(1.25)));
    assert_eq!(r.timeout, scale(None, Some(2.0)));
    assert_eq!(r.node_fail, OnEnd::Never);
    assert_eq!(r.preempted, OnEnd::Same);
    assert_eq!(r.boot_fail, scale(Some(1.5), None));
    assert_eq!(r.failed, OnEnd::Same);
    assert_eq!(r.max_mem.as_deref(), Some("64G"));
    assert_eq!(r.max_time.as_deref(), Some("2-00:00:00"));
    // Keys left out keep their defaults.
    let r = ok(&with("retries: {attempts: 1}\n")).retries;
    assert_eq!(
        r,
        Retries {
            attempts: 1,
            ..Retries::default()
        }
    );
}

#[test]
fn retries_must_be_a_mapping_or_false() {
    assert_eq!(
        one(&with("retries: 3\n")),
        "retries: 3 must be a mapping such as {attempts: 3, out_of_memory: {mem: 2}}, or false to retry nothing (leave it out for the defaults)"
    );
    assert!(one(&with("retries: true\n")).starts_with("retries: true must be a mapping"));
}

#[test]
fn retries_attempts_are_1_to_100() {
    assert_eq!(
        one(&with("retries: {attempts: 0}\n")),
        "retries.attempts: 0 is not allowed (attempts must be at least 1)"
    );
    assert_eq!(
        one(&with("retries: {attempts: 101}\n")),
        "retries.attempts: 101 is not allowed (attempts must be at most 100)"
    );
    assert_eq!(
        one(&with("retries: {attempts: 2.5}\n")),
        "retries.attempts: 2.5 must be a whole number"
    );
    assert_eq!(
        ok(&with("retries: {attempts: 100}\n")).retries.attempts,
        100
    );
}

#[test]
fn retries_unknown_keys_are_errors() {
    assert_eq!(
        problems(&with(
            "retries:\n  attemps: 2\n  out_of_memory: {memory: 2}\n  oom: same\n"
        )),
        [
            "retries.attemps: unknown key (did you mean 'attempts'?)",
            "retries.oom: unknown key (valid keys: attempts, out_of_memory, timeout, node_fail, preempted, boot_fail, failed, max_mem, max_time)",
            "retries.out_of_memory.memory: unknown key (did you mean 'mem'?)",
        ]
    );
}

#[test]
fn retries_rules_are_never_same_or_factors() {
    assert_eq!(
        one(&with("retries: {node_fail: retry}\n")),
        "retries.node_fail: 'retry' must be never, same or a mapping of factors such as {mem: 2} or {time: 1.5}"
    );
    assert_eq!(
        one(&with("retries: {failed: false}\n")),
        "retries.failed: false must be never, same or a mapping of factors such as {mem: 2} or {time: 1.5}"
    );
    assert_eq!(
        one(&with("retries: {preempted: null}\n")),
        "retries.preempted: null must be never, same or a mapping of factors such as {mem: 2} or {time: 1.5}"
    );
    assert_eq!(
        one(&with("retries: {timeout: {}}\n")),
        "retries.timeout: {} names no factor (write e.g. {mem: 2} or {time: 1.5}, or same or never)"
    );
}

#[test]
fn retries_factors_are_more_than_1_and_at_most_16() {
    let fix = "(a factor must be more than 1 and at most 16, e.g. 2 to double; write same to keep the resources)";
    assert_eq!(
        problems(&with(
            "retries:\n  out_of_memory: {mem: 1}\n  timeout: {time: 0.5}\n  node_fail: {mem: 17, time: 16}\n"
        )),
        [
            format!("retries.out_of_memory.mem: 1 is not allowed {fix}"),
            format!("retries.timeout.time: 0.5 is not allowed {fix}"),
            format!("retries.node_fail.mem: 17 is not allowed {fix}"),
        ]
    );
    assert_eq!(
        one(&with("retries: {out_of_memory: {mem: double}}\n")),
        "retries.out_of_memory.mem: 'double' must be a number"
    );
    assert_eq!(
        one(&with("retries: {out_of_memory: {mem: true}}\n")),
        "retries.out_of_memory.mem: true must be a number"
    );
    assert_eq!(
        ok(&with("retries: {timeout: {time: 16}}\n"))
            .retries
            .timeout,
        scale(None, Some(16.0))
    );
}

#[test]
fn retries_caps_use_slurm_syntax() {
    assert_eq!(
        one(&with("retries: {max_mem: 64GB}\n")),
        "retries.max_mem: '64GB' is not a SLURM memory size (use digits with an optional K, M, G or T suffix, e.g. \"64G\")"
    );
    assert_eq!(
        one(&with("retries: {max_mem: 64}\n")),
        "retries.max_mem: 64 must be a string such as \"64G\" (put it in quotes)"
    );
    assert_eq!(
        one(&with("retries: {max_mem: 0G}\n")),
        "retries.max_mem: '0G' is not allowed (a cap must be more than zero; leave max_mem out for no cap)"
    );
    assert_eq!(
        one(&with("retries: {max_time: 2d}\n")),
        "retries.max_time: '2d' is not a SLURM time (use M, M:S, H:M:S, D-H, D-H:M, D-H:M:S or infinite, e.g. \"2-00:00:00\")"
    );
    assert_eq!(
        one(&with("retries: {max_time: 120}\n")),
        "retries.max_time: 120 must be a string such as \"2-00:00:00\" (put it in quotes)"
    );
    assert!(one(&with("retries: {max_time: \"1:00:00\\n\"}\n"))
        .starts_with("retries.max_time: '1:00:00\\n' contains the control character U+000A"));
    // No limit is no cap.
    assert_eq!(
        ok(&with("retries: {max_time: infinite}\n"))
            .retries
            .max_time,
        None
    );
    assert_eq!(
        ok(&with("retries: {max_time: \"0\"}\n")).retries.max_time,
        None
    );
    assert_eq!(
        ok(&with("retries: {max_mem: 512m, max_time: \"90\"}\n")).retries,
        Retries {
            max_mem: Some("512m".into()),
            max_time: Some("90".into()),
            ..Retries::default()
        }
    );
}

#[test]
fn notify_is_read_with_default_events() {
    let n = ok(&with(
        "notify:\n  command: [mail, -s, \"herd: sweep event\", me@example.org]\n",
    ))
    .notify
    .unwrap();
    assert_eq!(
        n.command,
        ["mail", "-s", "herd: sweep event", "me@example.org"]
    );
    assert_eq!(n.on, ["sweep_finished", "failed_for_good"]);
    let n = ok(&with(
        "notify: {command: [notify-send], on: [submitted, retried, failed_for_good, pruned, paused, resumed, sweep_finished, tick_failed, retried]}\n",
    ))
    .notify
    .unwrap();
    assert_eq!(n.on, NOTIFY_EVENTS, "every event, the duplicate dropped");
}

#[test]
fn notify_command_is_a_list_run_without_a_shell() {
    assert_eq!(
        one(&with("notify: {command: mail -s herd me@x.org}\n")),
        "notify.command: 'mail -s herd me@x.org' must be a list (write [mail, -s, herd, me@x.org]; it runs without a shell, so write [sh, -c, 'mail -s herd me@x.org'] if one is wanted)"
    );
    assert_eq!(
        one(&with("notify: {on: [pruned]}\n")),
        "notify.command: missing (add command: [mail, -s, herd, you@example.org], the program and its arguments)"
    );
    assert_eq!(
        one(&with("notify: {command: []}\n")),
        "notify.command: [] is empty (name the program and its arguments, e.g. [mail, -s, herd, you@example.org])"
    );
    assert_eq!(
        one(&with("notify: {command: [\"\", x]}\n")),
        "notify.command[0]: '' is not a program (the first item names the program, e.g. [mail, -s, herd, you@example.org])"
    );
    assert_eq!(
        one(&with("notify: {command: null}\n")),
        "notify.command: null is not allowed (write the program and its arguments as a list, e.g. [mail, -s, herd, you@example.org])"
    );
    assert!(one(&with("notify: {command: [mail, \"a\\nb\"]}\n"))
        .starts_with("notify.command[1]: 'a\\nb' contains the control character U+000A"));
    assert_eq!(
        one(&with("notify: {command: [mail, 3]}\n")),
        "notify.command[1]: 3 must be a string (put it in quotes)"
    );
}

#[test]
fn notify_events_are_checked() {
    let valid = "valid events: submitted, retried, failed_for_good, pruned, paused, resumed, sweep_finished, tick_failed";
    assert_eq!(
        one(&with("notify: {command: [x], on: [finished]}\n")),
        format!("notify.on[0]: 'finished' is not an event ({valid})")
    );
    assert_eq!(
        one(&with("notify: {command: [x], on: sweep_finished}\n")),
        "notify.on: 'sweep_finished' must be a list (write on: [sweep_finished])"
    );
    assert_eq!(
        one(&with("notify: {command: [x], on: []}\n")),
        "notify.on: [] names no event (list some, e.g. [sweep_finished, failed_for_good], or remove notify:)"
    );
    assert_eq!(
        one(&with("notify:\n  command: [x]\n  on:\n")),
        "notify.on: null is not allowed (list the events, or leave on: out for [sweep_finished, failed_for_good])"
    );
}

#[test]
fn notify_must_be_a_mapping_without_unknown_keys() {
    assert_eq!(
        one(&with("notify: [mail]\n")),
        "notify: ['mail'] must be a mapping with command: [mail, -s, herd, you@example.org] and on: [sweep_finished, failed_for_good]"
    );
    assert_eq!(
        one(&with("notify: {command: [x], events: [pruned]}\n")),
        "notify.events: unknown key (valid keys: command, on)"
    );
}

#[test]
fn slurm_max_queued_and_signal_grace_are_read() {
    let c = ok(&slurm_with("  max_queued: 8\n  signal_grace: 120\n"));
    assert_eq!(
        (c.slurm.max_queued, c.slurm.signal_grace),
        (Some(8), Some(120))
    );
    let c = ok(&slurm_with("  max_queued:\n  signal_grace:\n"));
    assert_eq!((c.slurm.max_queued, c.slurm.signal_grace), (None, None));
    assert_eq!(
        (ok(BASE).slurm.max_queued, ok(BASE).slurm.signal_grace),
        (None, None)
    );
}

#[test]
fn slurm_max_queued_and_signal_grace_are_bounded() {
    assert_eq!(
        problems(&slurm_with("  max_queued: 0\n  signal_grace: 5\n")),
        [
            "slurm.max_queued: 0 is not allowed (max_queued must be at least 1)",
            "slurm.signal_grace: 5 is not allowed (signal_grace must be at least 10)",
        ]
    );
    assert_eq!(
        one(&slurm_with("  signal_grace: 3601\n")),
        "slurm.signal_grace: 3601 is not allowed (signal_grace must be at most 3600)"
    );
    assert_eq!(
        one(&slurm_with("  signal_grace: 2m\n")),
        "slurm.signal_grace: '2m' must be a whole number"
    );
    assert_eq!(
        ok(&slurm_with("  signal_grace: 3600\n")).slurm.signal_grace,
        Some(3600)
    );
    assert_eq!(
        ok(&slurm_with("  signal_grace: 10\n")).slurm.signal_grace,
        Some(10)
    );
}

// ---- helpers ----------------------------------------------------------------

#[test]
fn floats_show_as_python_repr() {
    let cases = [
        (0.001, "0.001"),
        (1e-5, "1e-05"),
        (1.0, "1.0"),
        (100.0, "100.0"),
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (5.623413251903491e-05, "5.623413251903491e-05"),
        (0.00031622776601683794, "0.00031622776601683794"),
        (1234567.89, "1234567.89"),
        (-0.0, "-0.0"),
        (-2.5e-7, "-2.5e-07"),
        (1e100, "1e+100"),
        (0.0001, "0.0001"),
    ];
    for (f, s) in cases {
        assert_eq!(show(&Value::Float(f)), s);
    }
}

#[test]
fn repr_quotes_like_python() {
    assert_eq!(repr("a"), "'a'");
    assert_eq!(repr("b'c"), "\"b'c\"");
    assert_eq!(repr("a'b\"c"), "'a\\'b\"c'");
    assert_eq!(repr("x\\y\n"), "'x\\\\y\\n'");
}

#[test]
fn suggestions() {
    assert_eq!(suggest("partiton", SLURM_KEYS), "did you mean 'partition'?");
    assert_eq!(
        suggest("static_override", TOP_KEYS),
        "did you mean 'static_overrides'?"
    );
    assert_eq!(
        suggest("q", HALVING_KEYS),
        "valid keys: metric, direction, min_steps, budget, eta, mode"
    );
}

// Configs run on through the layers above (expansion, fragments): a hostile or
// randomly mutated config is refused or loaded and expanded quickly, never with a panic.
#[test]
fn hostile_inputs_are_refused_or_loaded_in_linear_time() {
    use std::time::{Duration, Instant};
    // Generous bounds for a debug build on a busy machine: the quadratic paths
    // these guard took minutes (release) at these sizes.
    let t = Instant::now();
    let deep = format!(
        "{}x: {}{}\n",
        params("  a: {type: discrete, values: [1]}\n"),
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(one(&deep).contains("brackets nested more than 128 deep at line 7"));
    let many: String = (0..50_000)
        .map(|i| format!("  p{i}: {{type: discrete, values: [1]}}\n"))
        .collect();
    let c = ok(&params(&many));
    // Loaded, then refused: one trial's override string cannot be passed.
    let e = crate::model::expand::expand(&c).unwrap_err().to_string();
    assert!(e.contains("its override string is 877795 bytes"), "{e}");
    let values: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
    let labels: Vec<String> = (0..100_000).map(|i| format!("v{i}")).collect();
    let c = ok(&params(&format!(
        "  a: {{type: discrete, values: [{}], labels: [{}]}}\n",
        values.join(","),
        labels.join(",")
    )));
    assert!(crate::ops::fragments::Fresh::new(&c).is_some());
    assert_eq!(
        crate::model::expand::expand(&c).unwrap()[99_999].name,
        "a-v99999"
    );
    for steps in ["1000000000", "9223372036854775807"] {
        assert!(one(&params(&format!(
            "  a: {{type: continuous, low: 0, high: 1, steps: {steps}}}\n"
        )))
        .contains("is more steps than a sweep may have trials"));
    }
    // Emulated builds (make test-aarch64, under qemu) are ~15x slower: they say so.
    let scale: u64 = std::env::var("HERD_TIME_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let limit = Duration::from_secs(60 * scale.max(1));
    assert!(t.elapsed() < limit, "{:?} (limit {limit:?})", t.elapsed());
}

// ---- the no-panic property test -------------------------------------------

const FUZZ_BASE: &str = r#"# a sweep
name: demo
grid: [lr, opt]
launcher: ./launch.sh
static_overrides: ["data.path=/scratch", "seed=1"]
slurm:
  partition: gpu
  time: "02:00:00"
  mem: 16G
  cpus_per_task: 4
  gres: gpu:1
  max_concurrent: 2
  extra_args: [--exclusive]
parameters:
  lr:
    type: continuous
    low: 1.0e-4
    high: 1e-2
    scale: log
    steps: 3
    default: 0.001
    abbrev: lr
  opt:
    type: discrete
    values: [adam, sgd]
    default: adam
  ckpt:
    type: discrete
    values: [/p/a, /p/b]
    labels: [a, b]
    default: /p/a
  +experiment: {type: discrete, values: [small, large], default: small, abbrev: exp}
conditions:
  - name: sgd-lr
    when: {opt: sgd, lr: {gt: 0.001}, expr: "lr < 0.01 and opt == 'sgd'"}
    exclude: {lr: [0.01]}
    force: {ckpt: /p/b}
    set: {sched.warmup: 100, tag: {expr: "opt + '-x'"}}
  - when: {+experiment: [small], opt: {in: [adam]}}
    set: {note: yes}
successive_halving: {metric: val_loss, direction: min, min_steps: 10, budget: 80, eta: 2, mode: sync}
prune_grace_seconds: 600
"#;

const SNIPPETS: &[&str] = &[
        // The hostile-input limits: sizes, nesting, lengths, characters, YAML forms.
        "9223372036854775807",
        "1000000000",
        "5000001",
        "4999999",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        "{a: {a: {a: {a: {a: {a: {a: {a: [[[[[[[[",
        "\u{85}",
        "\u{2028}",
        "\u{2029}",
        "\u{9f}",
        "\u{feff}",
        "%TAG ! tag:x,2000:\n---\n",
        "%YAML 1.1\n",
        "010",
        "0b101",
        "0o17",
        "1_000",
        "1:30",
        "\"\": {type: discrete, values: [1]}",
        "{expr: \"[0] * 4000000 == [1]\"}",
        "{expr: \"'a' * 200000\"}",
        "null",
        "~",
        "[]",
        "{}",
        ".nan",
        "-.inf",
        "-1",
        "0",
        "1e999",
        "\"\"",
        "[1, [2]]",
        "{a: 1}",
        "{expr: \"x +\"}",
        "&a ",
        "*a",
        "!tag ",
        "'",
        "\"",
        ": ",
        "- ",
        "\n  ",
        "\t",
        "\u{0}",
        "é",
        "#",
        "99999999999999999999",
        "all",
        "log",
        "discrete",
        "continuous",
        "{gt: 1, lt: 2}",
        "{in: 3}",
        "? ",
        "|\n",
        ">-\n",
        "---\n",
        "<<: ",
        "\\",
        "%YAML 1.2\n",
    ];

use crate::testrng::XorShift;

fn mutate(rng: &mut XorShift, text: &[u8]) -> Vec<u8> {
    let mut b = text.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(b.len() + 1);
        let len = 1 + rng.below(8);
        let end = (at + len).min(b.len());
        match rng.below(8) {
            0 => {
                b.drain(at..end);
            }
            1 => {
                let piece: Vec<u8> = b[at..end].to_vec();
                b.splice(at..at, piece);
            }
            2 => {
                let byte = match rng.below(3) {
                    0 => b":- \n'\"[]{},#&*!|>?%@`\t"[rng.below(22)],
                    1 => b'0' + rng.below(10) as u8,
                    _ => rng.next() as u8,
                };
                b.insert(at, byte);
            }
            3 if rng.below(50) == 0 => {
                // A long string: override-length and message-length limits.
                let long = "x".repeat(1 + rng.below(140_000));
                b.splice(at..at, long.bytes());
            }
            3 => {
                let s = SNIPPETS[rng.below(SNIPPETS.len())].as_bytes();
                b.splice(at..at, s.iter().copied());
            }
            op => b = mutate_lines(rng, &b, op),
        }
    }
    b
}

fn mutate_lines(rng: &mut XorShift, b: &[u8], op: usize) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = b.split(|c| *c == b'\n').map(<[u8]>::to_vec).collect();
    let i = rng.below(lines.len());
    let j = rng.below(lines.len());
    match op {
        4 => {
            lines.remove(i);
        }
        5 => {
            let l = lines[i].clone();
            lines.insert(j, l);
        }
        6 => lines.swap(i, j),
        _ => {
            // Swap the values (text after ": ") of two lines.
            let split = |l: &[u8]| l.windows(2).position(|w| w == b": ").map(|p| p + 2);
            if let (Some(a), Some(c)) = (split(&lines[i]), split(&lines[j])) {
                let va = lines[i][a..].to_vec();
                let vc = lines[j][c..].to_vec();
                lines[i].truncate(a);
                lines[i].extend(vc);
                lines[j].truncate(c);
                lines[j].extend(va);
            }
        }
    }
    lines.join(&b'\n')
}

/// Feeds random mutations of a valid config through `parse`: it must return,
/// never panic. `HERD_FUZZ_ITERS` (default 20000) and `HERD_FUZZ_SEED` override.
#[test]
fn random_mutations_never_panic() {
    ok(FUZZ_BASE);
    let iters: usize = std::env::var("HERD_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let seed: u64 = std::env::var("HERD_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    let mut rng = XorShift(seed | 1);
    let (mut oks, mut errs) = (0usize, 0usize);
    let mut current = FUZZ_BASE.as_bytes().to_vec();
    for _ in 0..iters {
        // Mostly fresh mutants of the valid config, sometimes a drifting one.
        let base = if rng.below(4) == 0 {
            current.clone()
        } else {
            FUZZ_BASE.as_bytes().to_vec()
        };
        current = mutate(&mut rng, &base);
        let text = String::from_utf8_lossy(&current).into_owned();
        let result = std::panic::catch_unwind(|| {
            let Ok(cfg) = parse_str(&text) else {
                return false;
            };
            // Expansion too, where the sweep is small enough to be quick: it
            // must refuse (size, names, overrides, expressions), never panic.
            let small = cfg.parameters.iter().fold(1u64, |n, p| {
                n.saturating_mul(match &p.kind {
                    ParamKind::Discrete { values, .. } => values.len() as u64,
                    ParamKind::Continuous { steps, .. } => *steps,
                })
            }) <= 10_000;
            if small {
                let _ = crate::model::expand::expand(&cfg);
            } else {
                let _ = crate::model::expand::check_size(&cfg);
            }
            true
        });
        match result {
            Ok(true) => oks += 1,
            Ok(false) => errs += 1,
            Err(_) => panic!("parse panicked on input:\n{text:?}"),
        }
    }
    if iters >= 1000 {
        assert!(
            oks > 0 && errs > 0,
            "mutations too weak or too strong: {oks} ok, {errs} errors"
        );
    }
}
