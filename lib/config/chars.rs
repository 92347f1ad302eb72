//! Character rules: control characters and whitespace in strings that reach the job
//! script or the override string.

use super::{problems::Problems, show::repr};

/// C0 controls, DEL, C1 controls (U+0080–U+009F, e.g. NEL U+0085) and the Unicode
/// line and paragraph separators: each can end a line for some reader of the job
/// script or the override string.
pub(super) fn is_control(c: char) -> bool {
    matches!(c as u32, 0..=0x1f | 0x7f..=0x9f | 0x2028 | 0x2029)
}

pub(super) fn control_char(s: &str) -> Option<char> {
    s.chars().find(|c| is_control(*c))
}

fn unicode(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// `the control character U+000A`, `the line separator U+2028`, ….
pub(super) fn described(c: char) -> String {
    let what = match c {
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        _ => "control character",
    };
    format!("the {what} {}", unicode(c))
}

/// compat (B1): a string that reaches the job script may not hold a control character
/// (a newline would inject shell commands). True when `s` is clean.
pub(super) fn check_no_control(p: &mut Problems, path: &str, s: &str) -> bool {
    match control_char(s) {
        Some(c) => {
            p.push(
                path,
                format!(
                    "{} contains {} (remove it: it would break the job script)",
                    repr(s),
                    described(c)
                ),
            );
            false
        }
        None => true,
    }
}

/// compat (B20): a string that becomes part of the override string may hold neither
/// control characters nor whitespace, because the launcher word-splits that string.
pub(super) fn check_token(p: &mut Problems, path: &str, s: &str) {
    if let Some(c) = control_char(s) {
        p.push(
            path,
            format!(
                "{} contains {} (values are passed to the launcher in one space-separated string; remove it)",
                repr(s),
                described(c)
            ),
        );
    } else if s.chars().any(char::is_whitespace) {
        let fixed: String = s.split_whitespace().collect::<Vec<_>>().join("_");
        p.push(
            path,
            format!(
                "{} contains whitespace (values are passed to the launcher in one space-separated string; write e.g. {})",
                repr(s),
                repr(&fixed)
            ),
        );
    }
}

/// The experiment-name token rule: `[A-Za-z0-9._-]+`.
pub(super) fn is_safe_token(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// `s` with every character outside the token set replaced by `_`.
pub(super) fn sanitized(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if t.is_empty() {
        "sweep".into()
    } else {
        t
    }
}
