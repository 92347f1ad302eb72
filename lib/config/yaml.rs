//! The YAML text before and around parsing: what the prescan finds, and YAML errors
//! (syntax, duplicate keys, nesting) said with line and column.

use super::{problems::Problems, show::repr};

/// What the text shows before it is parsed (see [`crate::config::yamlscan`]): flow nesting too
/// deep to parse quickly (then nothing else is looked at: returns false), directives,
/// and plain numbers that YAML 1.1 and 1.2 read differently (B22).
pub(super) fn prescan(p: &mut Problems, text: &str) -> bool {
    use crate::config::yamlscan::{scan, What, MAX_FLOW_DEPTH};
    for f in scan(text) {
        let at = format!("line {} column {}", f.line, f.column);
        match f.what {
            What::TooDeep => {
                p.plain(format!(
                    "invalid YAML: brackets nested more than {MAX_FLOW_DEPTH} deep at {at} (a config needs a few levels; look for brackets that are never closed)"
                ));
                return false;
            }
            What::Directive(d) => p.plain(format!(
                "invalid YAML: the directive {} at line {} is not supported (herd reads every file as YAML 1.2 without tags; delete the line)",
                repr(&d),
                f.line
            )),
            // compat: `time: 4:00:00` is a string in YAML 1.2 and herd reads it so
            // (B22); base 60 matters only where values become trial parameters.
            What::Ambiguous { ref text, ref section, .. }
                if !matches!(section.as_deref(), Some("parameters" | "conditions" | "constraints"))
                    && text.contains(':') => {}
            What::Ambiguous { text, key, .. } => {
                let key = key.map_or_else(String::new, |k| format!(" (the value of {})", repr(&k)));
                p.plain(format!(
                    "ambiguous YAML number {text} at {at}{key}: {} (write it in quotes for a string, e.g. '{text}', or as a plain decimal number)",
                    ambiguity(&text)
                ));
            }
        }
    }
    true
}

/// How YAML 1.1 (the reference tool) and YAML 1.2 (herd) differ on `text`.
fn ambiguity(text: &str) -> String {
    let body = text.trim_start_matches(['-', '+']);
    if body.contains(':') {
        "YAML 1.1 (the reference tool) reads it as a base-60 number, YAML 1.2 (herd) as a string"
            .into()
    } else if body.contains('_') {
        "YAML 1.1 (the reference tool) reads the underscores as digit separators, YAML 1.2 (herd) reads it as a string".into()
    } else if body.len() > 1 && matches!(body.as_bytes()[1], b'b' | b'B') {
        "YAML 1.1 (the reference tool) reads it as a binary number, YAML 1.2 as a string".into()
    } else if body.len() > 1 && matches!(body.as_bytes()[1], b'o' | b'O') {
        "YAML 1.1 (the reference tool) reads it as a string, YAML 1.2 as an octal number".into()
    } else {
        "YAML 1.1 (the reference tool) reads a leading zero as octal, YAML 1.2 as decimal".into()
    }
}

/// compat (B22): a YAML error is a problem with its line and column, never a panic;
/// a duplicate key is an error (the reference let the last one win silently).
pub(super) fn yaml_problem(text: &str, e: &serde_yaml::Error) -> String {
    let msg = e.to_string();
    let loc = e.location().map(|l| (l.line(), l.column()));
    if msg.contains("duplicate key '") {
        return duplicate_key_problem(text, &msg, loc);
    }
    if msg.contains("recursion limit exceeded") {
        let at = loc.map_or_else(String::new, |(l, c)| format!(" at line {l} column {c}"));
        return format!("invalid YAML: the document is nested more than 128 levels deep{at} (a config needs a few levels; look for an indentation or bracket mistake)");
    }
    if msg.contains("more than one document") {
        return "invalid YAML: the file holds more than one YAML document (remove the '---' line that starts the second)".into();
    }
    let mut msg = plain_serde_message(&msg);
    // libyaml's reader reports a byte offset (and a bogus line 1 column 1).
    if let Some((head, tail)) = msg.split_once(" at position ") {
        let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(offset) = digits.parse::<usize>() {
            let (line, column) = line_column(text, offset);
            msg = format!("{head} at line {line} column {column}");
        }
    }
    let at = match loc {
        Some((line, column)) if !msg.contains(" at line ") => {
            format!(" at line {line} column {column}")
        }
        _ => String::new(),
    };
    format!("invalid YAML: {msg}{at}")
}

/// serde's "invalid type" wording, said in terms of the YAML file.
fn plain_serde_message(msg: &str) -> String {
    let msg = msg.replace(
        "invalid type: enum, expected a JSON value",
        "YAML tags such as '!foo' are not supported",
    );
    let Some((head, rest)) = msg.split_once("invalid type: ") else {
        return msg;
    };
    if let Some((what, tail)) = rest.split_once(", expected a string") {
        return format!("{head}mapping keys must be strings, found {what}{tail}");
    }
    for wide in [
        " as u128, expected a JSON value",
        " as i128, expected a JSON value",
    ] {
        if let Some((what, tail)) = rest.split_once(wide) {
            return format!(
                "{head}{} is too large (the limit is 2^63-1){tail}",
                what.replace('`', "")
            );
        }
    }
    msg
}

/// Line and column (1-based, in bytes) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    (line, column)
}

/// The duplicate-key message with the lines of the repeated key. serde_yaml reports
/// the position of the mapping, not of the key, so the key's lines are looked up in
/// the block mapping that starts there.
fn duplicate_key_problem(text: &str, msg: &str, loc: Option<(usize, usize)>) -> String {
    const FIX: &str = "(a key may appear only once; delete or rename one of them)";
    let (prefix, rest) = msg.split_once("duplicate key '").unwrap_or(("", msg));
    let key = rest.rsplit_once('\'').map_or(rest, |(k, _)| k);
    let Some((line, column)) = loc else {
        return format!("{prefix}duplicate key {} {FIX}", repr(key));
    };
    let lines = key_lines(text, key, line, column - 1);
    if lines.len() >= 2 {
        let shown: Vec<String> = lines.iter().map(usize::to_string).collect();
        let (last, init) = shown.split_last().unwrap_or((&shown[0], &[]));
        return format!(
            "{prefix}duplicate key {} at lines {} and {last} {FIX}",
            repr(key),
            init.join(", ")
        );
    }
    format!(
        "{prefix}duplicate key {} in the mapping at line {line} column {column} {FIX}",
        repr(key)
    )
}

/// Lines (1-based) from `first` on where `key:` stands at exactly `indent` spaces,
/// until the block ends (a line indented less).
fn key_lines(text: &str, key: &str, first: usize, indent: usize) -> Vec<usize> {
    let spellings = [key.to_string(), format!("\"{key}\""), format!("'{key}'")];
    let mut found = Vec::new();
    for (i, l) in text.lines().enumerate().skip(first.saturating_sub(1)) {
        let body = l.trim_start_matches(' ');
        let depth = l.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if depth < indent {
            break;
        }
        let is_key = depth == indent
            && spellings.iter().any(|k| {
                body.strip_prefix(k.as_str())
                    .is_some_and(|r| r.trim_start().starts_with(':'))
            });
        if is_key {
            found.push(i + 1);
        }
    }
    found
}
