//! A cheap pass over the YAML text before it is parsed: what the parser would take
//! too long over, or read differently from the reference tool.
//!
//! It is a small lexer, not a parser: it follows quoted scalars, comments, block
//! scalars and flow collections well enough to find
//! * flow collections (`[`, `{`) nested deeper than [`MAX_FLOW_DEPTH`]: libyaml's work
//!   per token grows with the flow depth, so 100,000 levels took the parser 40 s
//!   before its own recursion limit (128) refused them;
//! * directives (`%TAG`, `%YAML`), which herd does not support;
//! * plain scalars that YAML 1.1 (the reference tool) and YAML 1.2 (herd) read as
//!   different values (`010`, `0b101`, `0o17`, `1_000`, `1:30`).
//!
//! Its findings are reported with line and column; whatever it misses, the parser
//! still sees (a miss costs time, never a wrong config).

/// The deepest nesting of flow collections (`[[…]]`) accepted; the YAML parser's own
/// limit for all nesting is 128 levels.
pub(crate) const MAX_FLOW_DEPTH: usize = 128;

/// One finding, at a 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub line: usize,
    pub column: usize,
    pub what: What,
}

/// What was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum What {
    /// Flow collections nested deeper than [`MAX_FLOW_DEPTH`].
    TooDeep,
    /// A directive line such as `%TAG ! tag:example.com,2000:`.
    Directive(String),
    /// A plain scalar that YAML 1.1 and 1.2 read differently, with the key it is the
    /// value of (as written on its line, when there is one) and the top-level section.
    Ambiguous {
        text: String,
        key: Option<String>,
        section: Option<String>,
    },
}

/// Scan `text`; stops at the first [`What::TooDeep`] (nothing after it is looked at).
pub(crate) fn scan(text: &str) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut flow = 0usize;
    // Inside a quoted scalar that continues on the next line.
    let mut quote: Option<char> = None;
    // Inside a block scalar: lines indented more than this belong to it.
    let mut block: Option<usize> = None;
    let mut prologue = true;
    let mut section: Option<String> = None;
    for (n, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let chars: Vec<char> = line.chars().collect();
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        if let Some(parent) = block {
            if indent > parent || chars.iter().all(|c| c.is_whitespace()) {
                continue;
            }
            block = None;
        }
        if quote.is_none() && flow == 0 {
            if chars.first() == Some(&'%') {
                if prologue {
                    found.push(Finding {
                        line: n + 1,
                        column: 1,
                        what: What::Directive(line.trim_end().to_string()),
                    });
                }
                continue;
            }
            let body: String = chars[indent..].iter().collect();
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            if line.starts_with("---") || line.starts_with("...") {
                prologue = false;
                continue;
            }
            prologue = false;
            if indent == 0 {
                section = body
                    .split_once(':')
                    .map(|(k, _)| k.trim().trim_matches(['"', '\'']).to_string());
            }
        }
        let mut lx = Line {
            chars: &chars,
            i: 0,
            key: None,
        };
        let mut start = true;
        while lx.i < chars.len() {
            let c = chars[lx.i];
            if let Some(q) = quote {
                lx.i += 1;
                if q == '\'' && c == '\'' {
                    if lx.peek() == Some('\'') {
                        lx.i += 1;
                    } else {
                        quote = None;
                        start = false;
                    }
                } else if q == '"' && c == '\\' {
                    lx.i += 1;
                } else if q == '"' && c == '"' {
                    quote = None;
                    start = false;
                }
                continue;
            }
            match c {
                ' ' | '\t' => lx.i += 1,
                '#' if lx.i == 0 || matches!(chars[lx.i - 1], ' ' | '\t') => break,
                '[' | '{' => {
                    flow += 1;
                    if flow > MAX_FLOW_DEPTH {
                        found.push(Finding {
                            line: n + 1,
                            column: lx.i + 1,
                            what: What::TooDeep,
                        });
                        return found;
                    }
                    lx.i += 1;
                    start = true;
                }
                ']' | '}' => {
                    flow = flow.saturating_sub(1);
                    lx.i += 1;
                    start = false;
                }
                ',' if flow > 0 => {
                    lx.i += 1;
                    start = true;
                }
                ':' if lx.ends_indicator(flow) => {
                    lx.i += 1;
                    start = true;
                }
                '-' | '?' if start && flow == 0 && lx.ends_indicator(0) => lx.i += 1,
                '\'' | '"' if start => {
                    quote = Some(c);
                    lx.i += 1;
                }
                '|' | '>' if start && flow == 0 => {
                    block = Some(indent);
                    break;
                }
                '&' | '!' | '*' if start => {
                    while lx.i < chars.len() && !matches!(chars[lx.i], ' ' | ',' | ']' | '}') {
                        lx.i += 1;
                    }
                }
                _ => {
                    let (col, text) = lx.plain(flow);
                    if start {
                        if let Some(t) = ambiguous(&text) {
                            found.push(Finding {
                                line: n + 1,
                                column: col + 1,
                                what: What::Ambiguous {
                                    text: t.to_string(),
                                    key: lx.key.clone(),
                                    section: section.clone(),
                                },
                            });
                        }
                    }
                    // A key: remember it for the value after ':'.
                    if lx.i < chars.len() && chars[lx.i] == ':' {
                        lx.key = Some(text.trim().to_string());
                    }
                    start = false;
                }
            }
        }
    }
    found
}

/// The lexer's position in one line.
struct Line<'a> {
    chars: &'a [char],
    i: usize,
    key: Option<String>,
}

impl Line<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i + 1).copied()
    }

    /// True when the indicator at `i` is followed by a space, the line's end, or (in a
    /// flow collection) a flow indicator.
    fn ends_indicator(&self, flow: usize) -> bool {
        match self.peek() {
            None | Some(' ' | '\t') => true,
            Some(',' | '[' | ']' | '{' | '}') => flow > 0,
            _ => false,
        }
    }

    /// Read a plain scalar from `i`; returns its first column (0-based) and its text.
    fn plain(&mut self, flow: usize) -> (usize, String) {
        let from = self.i;
        while self.i < self.chars.len() {
            let c = self.chars[self.i];
            let ends = match c {
                ':' => self.ends_indicator(flow),
                '#' => matches!(self.chars[self.i - 1], ' ' | '\t'),
                ',' | '[' | ']' | '{' | '}' => flow > 0,
                _ => false,
            };
            if ends {
                break;
            }
            self.i += 1;
        }
        (from, self.chars[from..self.i].iter().collect())
    }
}

/// The plain scalar `text` when YAML 1.1 and 1.2 read it as different values:
/// a number with a leading zero (`010`: octal 8 in 1.1, 10 in 1.2), a binary or
/// octal prefix (`0b101`, `0o17`), digits with underscores (`1_000`), or a base-60
/// number (`1:30`: 90 in 1.1, a string in 1.2).
pub(crate) fn ambiguous(text: &str) -> Option<&str> {
    let t = text.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let b = body.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() {
        return None;
    }
    let int_like = |s: &[u8]| !s.is_empty() && s.iter().all(|c| c.is_ascii_digit() || *c == b'_');
    // 0b…, 0o…
    if b.len() > 2 && b[0] == b'0' && matches!(b[1], b'b' | b'o' | b'B' | b'O') {
        return b[2..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
            .then_some(t);
    }
    // 010, 00, 0_1 (but not 0, 0.5, 0e3)
    if b.len() > 1 && b[0] == b'0' && int_like(b) {
        return Some(t);
    }
    // 1_000, 1_000.5
    if body.contains('_') {
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int_like(int.as_bytes()) && frac.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
            return Some(t);
        }
        return None;
    }
    // 1:30, 12:30:45, 1:30.5 (first digit 1-9; YAML 1.1 base 60)
    if b[0] != b'0' && body.contains(':') {
        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
        let mut parts = whole.split(':');
        let head = parts.next().unwrap_or("");
        let ok = int_like(head.as_bytes())
            && parts.all(|p| {
                let d = p.as_bytes();
                (1..=2).contains(&d.len())
                    && d.iter().all(u8::is_ascii_digit)
                    && (d.len() == 1 || d[0] <= b'5')
            })
            && frac.bytes().all(|c| c.is_ascii_digit() || c == b'_');
        return ok.then_some(t);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whats(text: &str) -> Vec<What> {
        scan(text).into_iter().map(|f| f.what).collect()
    }

    fn amb(text: &str, key: Option<&str>) -> What {
        What::Ambiguous {
            text: text.into(),
            key: key.map(Into::into),
            section: Some("parameters".into()),
        }
    }

    #[test]
    fn ambiguous_forms() {
        for t in [
            "010", "-010", "+07", "00", "08", "0b101", "0o17", "1_000", "1_000.5", "1:30",
            "12:30:45", "-1:30", "1:30.5",
        ] {
            assert_eq!(ambiguous(t), Some(t), "{t}");
        }
        for t in [
            "0",
            "10",
            "0.5",
            "012.5",
            "0x10",
            "1e3",
            "1.0e-3",
            "01:00:00",
            "1:60",
            "adam",
            "v1_0",
            "0.",
            ".5",
            "1:3a",
            "2024-01-01",
        ] {
            assert_eq!(ambiguous(t), None, "{t}");
        }
    }

    #[test]
    fn finds_plain_numbers_with_their_keys_and_skips_quoted_ones() {
        let text = "name: t\nparameters:\n  a: {type: discrete, values: [7, 010, '010', \"0b1\"]}\n  b:\n    values:\n      - 1_000 # c\n      - '1:30'\n    default: 0o17\n";
        assert_eq!(
            whats(text),
            [
                amb("010", Some("values")),
                amb("1_000", None),
                amb("0o17", Some("default"))
            ]
        );
    }

    #[test]
    fn comments_block_scalars_and_plain_text_are_not_values() {
        let text = "parameters:\n  # 010\n  x: |\n    010 [[[\n  y: it's 010\n  z: a # 010\n";
        assert_eq!(whats(text), []);
    }

    #[test]
    fn multi_line_quoted_scalars_are_followed() {
        let text = "parameters:\n  x: 'a\n  010 [ '\n  y: [010]\n";
        assert_eq!(whats(text), [amb("010", Some("y"))]);
    }

    #[test]
    fn flow_depth_is_limited() {
        let ok = format!(
            "x: {}{}\n",
            "[".repeat(MAX_FLOW_DEPTH),
            "]".repeat(MAX_FLOW_DEPTH)
        );
        assert_eq!(whats(&ok), []);
        let deep = format!("x: {}\n", "[{".repeat(100_000));
        let f = scan(&deep);
        assert_eq!(
            (f[0].line, f[0].column, &f[0].what),
            (1, 4 + MAX_FLOW_DEPTH, &What::TooDeep)
        );
        // Brackets in quotes and comments do not count.
        let quoted = format!("x: '{}'\n# {}\n", "[".repeat(500), "{".repeat(500));
        assert_eq!(whats(&quoted), []);
    }

    #[test]
    fn directives_are_found_before_the_document_only() {
        let text = "%TAG !e! tag:e.com,2000:\n---\nx: |\n  %not\n";
        assert_eq!(
            whats(text),
            [What::Directive("%TAG !e! tag:e.com,2000:".into())]
        );
    }
}
