//! The man pages stay honest: every long flag of a tool's `--help` appears in its
//! man page, and `mandoc -Tlint -W warning` (when installed) has nothing to say.

use std::path::Path;
use std::process::Command;

const TOOLS: [(&str, &str); 2] = [
    ("herd-log", env!("CARGO_BIN_EXE_herd-log")),
    ("herd-res", env!("CARGO_BIN_EXE_herd-res")),
];

fn long_flags(help: &str) -> Vec<String> {
    let mut flags: Vec<String> = help
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(str::to_string)
        .collect();
    flags.sort();
    flags.dedup();
    flags
}

#[test]
fn every_long_flag_is_documented() {
    for (name, bin) in TOOLS {
        let out = Command::new(bin).arg("--help").output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        let page = std::fs::read_to_string(Path::new("man").join(format!("{name}.1"))).unwrap();
        let flags = long_flags(&help);
        assert!(!flags.is_empty(), "{name}: no flags found in --help");
        for flag in flags {
            let roff = flag.replace('-', "\\-");
            assert!(page.contains(&roff), "man/{name}.1 does not mention {flag}");
        }
    }
}

#[test]
fn man_pages_lint_clean() {
    if Command::new("mandoc").arg("-V").output().is_err() {
        eprintln!("SKIPPED man page lint: mandoc is not installed (apt-get install mandoc)");
        return;
    }
    for (name, _) in TOOLS {
        let out = Command::new("mandoc")
            .args(["-Tlint", "-W", "warning"])
            .arg(Path::new("man").join(format!("{name}.1")))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && text.is_empty(), "{name}.1:\n{text}");
    }
}
