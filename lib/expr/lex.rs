//! The tokenizer of the expression language: Python 3.11's token rules for one
//! logical line (numbers, strings with prefixes and escapes, operators, keywords).
//!
//! Errors are plain messages ending in `at column N` (1-based, in characters); the
//! caller wraps them as `Invalid expression '<src>': …`.

/// Python's hard keywords. Soft keywords (`match`, `case`, `_`, `type`) are names.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Operators and delimiters, longest first so that the first prefix match wins.
const OPERATORS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=",
    ":=", "<<", "<=", "==", ">=", ">>", "@=", "^=", "|=", "+", "-", "*", "/", "%", "@", "&", "|",
    "^", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "=",
];

/// At most this many tokens: bounds every later pass (tree depth, drop, evaluation).
const MAX_TOKENS: usize = 4096;

/// What a string literal turned into.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StrLit {
    /// A plain (or raw, or `u`) string with its escapes resolved.
    Text(String),
    /// A bytes literal (`b'…'`); its value is not kept.
    Bytes,
    /// An f-string (`f'…'`); its value is not kept.
    Format,
}

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// An identifier (including the soft keywords).
    Name(String),
    /// A hard keyword.
    Kw(&'static str),
    /// An integer literal that fits in 64 bits.
    Int(i64),
    /// An integer literal that does not fit in 64 bits (its digits, as written).
    BigInt(String),
    /// A float literal.
    Float(f64),
    /// An imaginary literal (`1j`).
    Imag,
    /// A string literal.
    Str(StrLit),
    /// An operator or delimiter.
    Op(&'static str),
    /// A line break outside brackets.
    Newline,
    /// The end of the input.
    End,
}

/// A token and the column where it starts (1-based, in characters).
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) col: usize,
}

/// Split `src` into tokens; the last one is always [`Tok::End`].
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, String> {
    Lexer {
        chars: src.chars().collect(),
        pos: 0,
        brackets: 0,
        out: Vec::new(),
    }
    .run()
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    brackets: usize,
    out: Vec<Token>,
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

fn at(what: &str, pos: usize) -> String {
    format!("{what} at column {}", pos + 1)
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn push(&mut self, tok: Tok, start: usize) -> Result<(), String> {
        if self.out.len() >= MAX_TOKENS {
            return Err(format!(
                "expression is too long (more than {MAX_TOKENS} tokens)"
            ));
        }
        self.out.push(Token {
            tok,
            col: start + 1,
        });
        Ok(())
    }

    fn run(mut self) -> Result<Vec<Token>, String> {
        self.leading_indent()?;
        while let Some(c) = self.peek(0) {
            let start = self.pos;
            match c {
                ' ' | '\t' | '\x0c' => self.pos += 1,
                '#' => {
                    while self.peek(0).is_some_and(|c| c != '\n' && c != '\r') {
                        self.pos += 1;
                    }
                }
                '\\' => {
                    self.pos += 1;
                    match self.peek(0) {
                        Some('\n') => self.pos += 1,
                        Some('\r') => {
                            self.pos += 1;
                            if self.peek(0) == Some('\n') {
                                self.pos += 1;
                            }
                        }
                        _ => {
                            return Err(at(
                                "unexpected character after line continuation character",
                                start,
                            ))
                        }
                    }
                }
                '\n' | '\r' => {
                    self.pos += 1;
                    if self.brackets == 0 && self.out.last().is_some_and(|t| t.tok != Tok::Newline)
                    {
                        self.push(Tok::Newline, start)?;
                    }
                }
                '\0' => return Err(at("source code cannot contain null bytes", start)),
                '0'..='9' => {
                    let tok = self.number()?;
                    self.push(tok, start)?;
                }
                '.' if self.peek(1).is_some_and(|c| c.is_ascii_digit()) => {
                    let tok = self.number()?;
                    self.push(tok, start)?;
                }
                '\'' | '"' => {
                    let tok = self.string("")?;
                    self.push(tok, start)?;
                }
                c if is_ident_start(c) => {
                    while self.peek(0).is_some_and(is_ident_char) {
                        self.pos += 1;
                    }
                    let word: String = self.chars[start..self.pos].iter().collect();
                    let quote = self.peek(0).is_some_and(|c| c == '\'' || c == '"');
                    let lower = word.to_ascii_lowercase();
                    let tok = if quote
                        && ["r", "u", "b", "f", "br", "rb", "fr", "rf"].contains(&lower.as_str())
                    {
                        self.string(&lower)?
                    } else if let Some(kw) = KEYWORDS.iter().find(|k| **k == word) {
                        Tok::Kw(kw)
                    } else {
                        Tok::Name(word)
                    };
                    self.push(tok, start)?;
                }
                _ => {
                    let op = OPERATORS.iter().find(|op| {
                        op.chars()
                            .enumerate()
                            .all(|(i, oc)| self.peek(i) == Some(oc))
                    });
                    let Some(op) = op else {
                        return Err(at(
                            &format!("invalid character '{c}' (U+{:04X})", c as u32),
                            start,
                        ));
                    };
                    match *op {
                        "(" | "[" | "{" => self.brackets += 1,
                        ")" | "]" | "}" => self.brackets = self.brackets.saturating_sub(1),
                        _ => {}
                    }
                    self.pos += op.chars().count();
                    self.push(Tok::Op(op), start)?;
                }
            }
        }
        let end = self.chars.len();
        self.push(Tok::End, end)?;
        Ok(self.out)
    }

    /// Python rejects an indented first line ("unexpected indent"); blank and
    /// comment-only lines before it do not count.
    fn leading_indent(&mut self) -> Result<(), String> {
        let mut i = 0;
        loop {
            let line_start = i;
            while matches!(self.chars.get(i), Some(' ' | '\t' | '\x0c')) {
                i += 1;
            }
            match self.chars.get(i) {
                Some('\n' | '\r') => i += 1,
                Some('#') | None => return Ok(()),
                Some(_) if i > line_start => return Err(at("unexpected indent", line_start)),
                Some(_) => return Ok(()),
            }
        }
    }

    /// Digits in `radix` with single underscores between them; returns the digits.
    fn digits(&mut self, radix: u32) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek(0) {
            if c.is_digit(radix) {
                out.push(c);
                self.pos += 1;
            } else if c == '_' && !out.is_empty() && self.peek(1).is_some_and(|d| d.is_digit(radix))
            {
                self.pos += 1;
            } else {
                break;
            }
        }
        out
    }

    /// Python's `verify_end_of_number`: a number may be directly followed by a few
    /// keywords (`1if x else 2`), but not by any other identifier character.
    fn end_of_number(&self, kind: &str, start: usize) -> Result<(), String> {
        let Some(c) = self.peek(0) else { return Ok(()) };
        if c == '_' || c.is_ascii_digit() || is_ident_start(c) {
            let rest: String = self.chars[self.pos..].iter().take(4).collect();
            let ok = ["and", "else", "for", "if", "in", "is", "not", "or"]
                .iter()
                .any(|kw| rest.starts_with(kw));
            if !ok {
                return Err(at(&format!("invalid {kind} literal"), start));
            }
        }
        Ok(())
    }

    fn number(&mut self) -> Result<Tok, String> {
        let start = self.pos;
        if self.peek(0) == Some('0') {
            let radix = match self.peek(1) {
                Some('x' | 'X') => Some((16, "hexadecimal")),
                Some('o' | 'O') => Some((8, "octal")),
                Some('b' | 'B') => Some((2, "binary")),
                _ => None,
            };
            if let Some((radix, kind)) = radix {
                self.pos += 2;
                if self.peek(0) == Some('_') {
                    self.pos += 1;
                }
                let digits = self.digits(radix);
                if let Some(c) = self.peek(0).filter(|c| c.is_ascii_digit()) {
                    return Err(at(&format!("invalid digit '{c}' in {kind} literal"), start));
                }
                if digits.is_empty() {
                    return Err(at(&format!("invalid {kind} literal"), start));
                }
                self.end_of_number(kind, start)?;
                return Ok(int_token(&digits, radix));
            }
        }
        let int_part = self.digits(10);
        let mut is_float = false;
        if self.peek(0) == Some('_') {
            return Err(at("invalid decimal literal", start));
        }
        if self.peek(0) == Some('.') {
            is_float = true;
            self.pos += 1;
            if self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
                self.digits(10);
            }
            if self.peek(0) == Some('_') {
                return Err(at("invalid decimal literal", start));
            }
        }
        if matches!(self.peek(0), Some('e' | 'E')) {
            let sign = usize::from(matches!(self.peek(1), Some('+' | '-')));
            if self.peek(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                is_float = true;
                self.pos += 1 + sign;
                self.digits(10);
                if self.peek(0) == Some('_') {
                    return Err(at("invalid decimal literal", start));
                }
            } else if sign == 1 {
                return Err(at("invalid decimal literal", start));
            }
        }
        if matches!(self.peek(0), Some('j' | 'J')) {
            self.pos += 1;
            self.end_of_number("imaginary", start)?;
            return Ok(Tok::Imag);
        }
        self.end_of_number("decimal", start)?;
        if is_float {
            let text: String = self.chars[start..self.pos]
                .iter()
                .filter(|c| **c != '_')
                .collect();
            return text
                .parse::<f64>()
                .map(Tok::Float)
                .map_err(|_| at("invalid decimal literal", start));
        }
        if int_part.len() > 1 && int_part.starts_with('0') && int_part.chars().any(|c| c != '0') {
            return Err(at(
                "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
                start,
            ));
        }
        Ok(int_token(&int_part, 10))
    }

    /// A string literal; `prefix` is its (lowercased) prefix, already consumed.
    fn string(&mut self, prefix: &str) -> Result<Tok, String> {
        let start = self.pos - prefix.len();
        let raw = prefix.contains('r');
        let bytes = prefix.contains('b');
        let fmt = prefix.contains('f');
        let Some(quote) = self.peek(0) else {
            return Err(at("unterminated string literal", start));
        };
        let triple = self.peek(1) == Some(quote) && self.peek(2) == Some(quote);
        self.pos += if triple { 3 } else { 1 };
        let body_start = self.pos;
        loop {
            match self.peek(0) {
                None => {
                    let what = if triple {
                        "unterminated triple-quoted string literal"
                    } else {
                        "unterminated string literal"
                    };
                    return Err(at(what, start));
                }
                Some('\\') => self.pos += 2,
                Some('\n' | '\r') if !triple => {
                    return Err(at("unterminated string literal", start))
                }
                Some(c) if c == quote => {
                    if !triple {
                        break;
                    }
                    if self.peek(1) == Some(quote) && self.peek(2) == Some(quote) {
                        break;
                    }
                    self.pos += 1;
                }
                Some(_) => self.pos += 1,
            }
        }
        let body: Vec<char> = self.chars[body_start..self.pos].to_vec();
        self.pos += if triple { 3 } else { 1 };
        if bytes {
            if body.iter().any(|c| !c.is_ascii()) {
                return Err(at("bytes can only contain ASCII literal characters", start));
            }
            return Ok(Tok::Str(StrLit::Bytes));
        }
        if fmt {
            check_fstring(&body).map_err(|m| at(&format!("f-string: {m}"), start))?;
            return Ok(Tok::Str(StrLit::Format));
        }
        if raw {
            return Ok(Tok::Str(StrLit::Text(body.iter().collect())));
        }
        unescape(&body)
            .map(|s| Tok::Str(StrLit::Text(s)))
            .map_err(|m| at(&m, start))
    }
}

fn int_token(digits: &str, radix: u32) -> Tok {
    match i64::from_str_radix(digits, radix) {
        Ok(v) => Tok::Int(v),
        Err(_) => Tok::BigInt(digits.to_string()),
    }
}

/// Resolve Python string escapes (non-raw `str` literals).
fn unescape(body: &[char]) -> Result<String, String> {
    let mut out = String::new();
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c != '\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&e) = body.get(i + 1) else {
            out.push('\\');
            break;
        };
        i += 2;
        match e {
            '\n' => {}
            '\r' => {
                if body.get(i) == Some(&'\n') {
                    i += 1;
                }
            }
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                let mut n = 1;
                while n < 3 {
                    match body.get(i).and_then(|d| d.to_digit(8)) {
                        Some(d) => v = v * 8 + d,
                        None => break,
                    }
                    i += 1;
                    n += 1;
                }
                out.push(char::from_u32(v).ok_or("invalid octal escape")?);
            }
            'x' | 'u' | 'U' => {
                let (len, name) = match e {
                    'x' => (2, "\\xXX"),
                    'u' => (4, "\\uXXXX"),
                    _ => (8, "\\UXXXXXXXX"),
                };
                let hex: String = body.iter().skip(i).take(len).collect();
                if hex.chars().count() < len || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(format!("(unicode error) truncated {name} escape"));
                }
                i += len;
                let v = u32::from_str_radix(&hex, 16)
                    .map_err(|_| format!("(unicode error) truncated {name} escape"))?;
                if (0xD800..0xE000).contains(&v) {
                    // Python keeps lone surrogates in a str; a Rust string cannot hold them.
                    return Err(format!("lone surrogate \\{e}{hex} is not supported"));
                }
                out.push(char::from_u32(v).ok_or("(unicode error) illegal Unicode character")?);
            }
            // Resolving `\N{…}` needs the Unicode name table, which herd does not carry.
            'N' => return Err("\\N{...} escapes are not supported".to_string()),
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// Check the braces of an f-string body: `{{`/`}}` are literal, every other `{`
/// needs a matching `}` and a non-empty expression. The expression is not parsed:
/// an f-string is rejected as `JoinedStr` whatever it contains.
fn check_fstring(body: &[char]) -> Result<(), &'static str> {
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            '{' if body.get(i + 1) == Some(&'{') => i += 2,
            '}' if body.get(i + 1) == Some(&'}') => i += 2,
            '}' => return Err("single '}' is not allowed"),
            '{' => {
                let mut depth = 0usize;
                let mut j = i + 1;
                loop {
                    match body.get(j) {
                        None => return Err("expecting '}'"),
                        Some('{' | '[' | '(') => depth += 1,
                        Some(']' | ')') => depth = depth.saturating_sub(1),
                        Some('}') if depth == 0 => break,
                        Some('}') => depth -= 1,
                        Some(_) => {}
                    }
                    j += 1;
                }
                if body[i + 1..j].iter().all(|c| c.is_whitespace()) {
                    return Err("empty expression not allowed");
                }
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        tokenize(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    fn err(src: &str) -> String {
        tokenize(src).unwrap_err()
    }

    #[test]
    fn expr_lex_numbers() {
        assert_eq!(toks("1_000"), vec![Tok::Int(1000), Tok::End]);
        assert_eq!(
            toks("0x1f 0o17 0b101 0X_F"),
            vec![
                Tok::Int(31),
                Tok::Int(15),
                Tok::Int(5),
                Tok::Int(15),
                Tok::End
            ]
        );
        assert_eq!(
            toks("1.5 1e-3 .5 5. 1.e5 09.5 00 0_0"),
            vec![
                Tok::Float(1.5),
                Tok::Float(0.001),
                Tok::Float(0.5),
                Tok::Float(5.0),
                Tok::Float(1e5),
                Tok::Float(9.5),
                Tok::Int(0),
                Tok::Int(0),
                Tok::End
            ]
        );
        assert_eq!(toks("1_000.0_1"), vec![Tok::Float(1000.01), Tok::End]);
        assert_eq!(toks("1e400"), vec![Tok::Float(f64::INFINITY), Tok::End]);
        assert_eq!(toks("1j 1e5J"), vec![Tok::Imag, Tok::Imag, Tok::End]);
        assert_eq!(
            toks("9223372036854775807"),
            vec![Tok::Int(i64::MAX), Tok::End]
        );
        assert_eq!(
            toks("9223372036854775808"),
            vec![Tok::BigInt("9223372036854775808".into()), Tok::End]
        );
        // A number may touch a few keywords, as in CPython 3.11.
        assert_eq!(toks("1if")[..2], [Tok::Int(1), Tok::Kw("if")]);
        assert_eq!(toks("1else")[..2], [Tok::Int(1), Tok::Kw("else")]);
    }

    #[test]
    fn expr_lex_bad_numbers() {
        assert_eq!(err("1__0"), "invalid decimal literal at column 1");
        assert_eq!(err("1_"), "invalid decimal literal at column 1");
        assert_eq!(err("x + 1abc"), "invalid decimal literal at column 5");
        assert_eq!(err("1._5"), "invalid decimal literal at column 1");
        assert_eq!(err("1e"), "invalid decimal literal at column 1");
        assert_eq!(err("1e+"), "invalid decimal literal at column 1");
        assert_eq!(
            err("0b102"),
            "invalid digit '2' in binary literal at column 1"
        );
        assert_eq!(err("0o8"), "invalid digit '8' in octal literal at column 1");
        assert_eq!(err("0x"), "invalid hexadecimal literal at column 1");
        assert!(err("01").starts_with("leading zeros in decimal integer literals"));
        assert!(err("0_9").starts_with("leading zeros"));
    }

    #[test]
    fn expr_lex_strings() {
        let s = |v: &str| Tok::Str(StrLit::Text(v.to_string()));
        assert_eq!(toks(r#"'a' "b""#), vec![s("a"), s("b"), Tok::End]);
        assert_eq!(
            toks(r"'\n\t\\\'\x41\u00e9\U0001F600\101\q'"),
            vec![s("\n\t\\'Aé😀A\\q"), Tok::End]
        );
        assert_eq!(toks(r"r'\n\''"), vec![s("\\n\\'"), Tok::End]);
        assert_eq!(toks("'''a\nb'''"), vec![s("a\nb"), Tok::End]);
        assert_eq!(toks("u'x' R'y'"), vec![s("x"), s("y"), Tok::End]);
        assert_eq!(
            toks("b'x' Rb'y'"),
            vec![Tok::Str(StrLit::Bytes), Tok::Str(StrLit::Bytes), Tok::End]
        );
        assert_eq!(
            toks("f'{x}' fR'a'"),
            vec![Tok::Str(StrLit::Format), Tok::Str(StrLit::Format), Tok::End]
        );
        assert_eq!(toks("ur'x'")[0], Tok::Name("ur".into()));
        assert_eq!(err("'abc"), "unterminated string literal at column 1");
        assert_eq!(
            err("'''abc"),
            "unterminated triple-quoted string literal at column 1"
        );
        assert_eq!(err("'a\nb'"), "unterminated string literal at column 1");
        assert!(err(r"'\x4'").contains("truncated \\xXX escape"));
        assert!(err(r"'\N{DASH}'").contains("not supported"));
        assert!(err(r"'\ud800'").contains("surrogate"));
        assert_eq!(err("f'{'"), "f-string: expecting '}' at column 1");
        assert_eq!(
            err("f'}'"),
            "f-string: single '}' is not allowed at column 1"
        );
        assert_eq!(
            err("f'{ }'"),
            "f-string: empty expression not allowed at column 1"
        );
        assert_eq!(
            err("b'é'"),
            "bytes can only contain ASCII literal characters at column 1"
        );
    }

    #[test]
    fn expr_lex_layout() {
        assert_eq!(toks("x # comment"), vec![Tok::Name("x".into()), Tok::End]);
        assert_eq!(toks("x \\\n+ 1").len(), 4);
        assert_eq!(toks("(x\n+1)").len(), 6);
        assert_eq!(
            toks("x\n\n"),
            vec![Tok::Name("x".into()), Tok::Newline, Tok::End]
        );
        assert_eq!(err(" x"), "unexpected indent at column 1");
        assert_eq!(
            err("\\"),
            "unexpected character after line continuation character at column 1"
        );
        assert_eq!(err("x $ y"), "invalid character '$' (U+0024) at column 3");
        assert!(err("x\0").contains("null bytes"));
        assert_eq!(toks("a<=b")[1], Tok::Op("<="));
        assert_eq!(toks("a**=b")[1], Tok::Op("**="));
        assert_eq!(toks("not in")[..2], [Tok::Kw("not"), Tok::Kw("in")]);
        assert_eq!(toks("match")[0], Tok::Name("match".into()));
        assert!(err(&"x+".repeat(3000)).contains("too long"));
    }
}
