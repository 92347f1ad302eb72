//! Python text renderings needed by expressions: `repr()` and `str()` of objects
//! (float repr included) and printf-style `str % value` formatting.

use super::eval::{Budget, Obj};
use crate::text::pyfmt;

/// Python's `repr()` of a string; with `ascii`, `ascii()` (non-ASCII escaped).
pub(crate) fn repr_str(s: &str, ascii: bool) -> String {
    if ascii {
        pyfmt::ascii_str(s)
    } else {
        pyfmt::repr_str(s)
    }
}

/// Python's `repr()` of a float.
pub(crate) fn repr_f64(x: f64) -> String {
    pyfmt::repr_f64(x)
}

/// Python's `str()` of an object.
pub(crate) fn py_str(o: &Obj) -> String {
    match o {
        Obj::Str(s) => s.clone(),
        other => py_repr(other, false),
    }
}

/// Python's `repr()` (or, with `ascii`, `ascii()`) of an object.
pub(crate) fn py_repr(o: &Obj, ascii: bool) -> String {
    let items = |v: &[Obj]| {
        v.iter()
            .map(|x| py_repr(x, ascii))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match o {
        Obj::None => "None".into(),
        Obj::Bool(true) => "True".into(),
        Obj::Bool(false) => "False".into(),
        Obj::Int(i) => i.to_string(),
        Obj::Float(f) => repr_f64(*f),
        Obj::Str(s) => repr_str(s, ascii),
        Obj::List(v) => format!("[{}]", items(v)),
        Obj::Tuple(v) if v.len() == 1 => format!("({},)", items(v)),
        Obj::Tuple(v) => format!("({})", items(v)),
        Obj::Dict(d) => {
            let parts: Vec<String> = d
                .iter()
                .map(|(k, v)| format!("{}: {}", repr_str(k, ascii), py_repr(v, ascii)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Obj::Func(f) => format!("<built-in function {}>", f.name()),
    }
}

/// The flags and sizes of one `%` conversion.
#[derive(Default)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    prec: Option<usize>,
}

/// The arguments of a `%` format: a tuple's items, or one object.
struct Args {
    items: Vec<Obj>,
    next: usize,
    /// The right operand when it is a mapping in Python's sense (`%(key)s` source).
    mapping: Option<Obj>,
}

impl Args {
    fn next(&mut self) -> Result<Obj, String> {
        let item = self
            .items
            .get(self.next)
            .cloned()
            .ok_or("not enough arguments for format string")?;
        self.next += 1;
        Ok(item)
    }

    fn next_int(&mut self) -> Result<i64, String> {
        match self.next()? {
            Obj::Int(i) => Ok(i),
            Obj::Bool(b) => Ok(i64::from(b)),
            _ => Err("* wants int".into()),
        }
    }
}

/// `fmt % arg` for a string `fmt`, as Python's printf-style formatting.
///
/// Supported: `%s %r %a %d %i %u %x %X %o %e %E %f %F %g %G %c %%`, flags
/// `- + space # 0`, width and precision (also `*`), `%(key)s` with a dict.
pub(crate) fn percent(fmt: &str, arg: Obj, budget: &mut Budget) -> Result<String, String> {
    let mut args = match arg {
        Obj::Tuple(items) => Args {
            items,
            next: 0,
            mapping: None,
        },
        other => {
            let mapping = matches!(other, Obj::Dict(_) | Obj::List(_)).then(|| other.clone());
            Args {
                items: vec![other],
                next: 0,
                mapping,
            }
        }
    };
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        let spec_start = i;
        let incomplete = || "incomplete format".to_string();
        let mut keyed = None;
        if chars.get(i) == Some(&'(') {
            let mut depth = 1;
            let start = i + 1;
            while depth > 0 {
                i += 1;
                match chars.get(i) {
                    None => return Err("incomplete format key".into()),
                    Some('(') => depth += 1,
                    Some(')') => depth -= 1,
                    Some(_) => {}
                }
            }
            let key: String = chars[start..i].iter().collect();
            i += 1;
            keyed = Some(lookup(args.mapping.as_ref(), &key)?);
        }
        let mut spec = Spec::default();
        while let Some(c) = chars.get(i) {
            match c {
                '-' => spec.left = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '#' => spec.alt = true,
                '0' => spec.zero = true,
                _ => break,
            }
            i += 1;
        }
        if chars.get(i) == Some(&'*') {
            let w = args.next_int()?;
            spec.left |= w < 0;
            spec.width = usize::try_from(w.unsigned_abs()).unwrap_or(usize::MAX);
            i += 1;
        } else {
            spec.width = number(&chars, &mut i)?;
        }
        if chars.get(i) == Some(&'.') {
            i += 1;
            if chars.get(i) == Some(&'*') {
                spec.prec = Some(usize::try_from(args.next_int()?.max(0)).unwrap_or(usize::MAX));
                i += 1;
            } else {
                spec.prec = Some(number(&chars, &mut i)?);
            }
        }
        while matches!(chars.get(i), Some('h' | 'l' | 'L')) {
            i += 1;
        }
        let Some(&conv) = chars.get(i) else {
            return Err(incomplete());
        };
        if conv == '%' && i == spec_start {
            out.push('%');
            i += 1;
            continue;
        }
        // CPython takes the argument before it looks at the conversion character.
        let value = match keyed {
            Some(v) => v,
            None => args.next()?,
        };
        if !"sradiuxXoeEfFgGc".contains(conv) {
            return Err(format!(
                "unsupported format character '{conv}' (0x{:x}) at index {i}",
                conv as u32
            ));
        }
        budget.charge(Some(spec.width))?;
        budget.charge(Some(spec.prec.unwrap_or(0)))?;
        let piece = convert(conv, &value, &spec)?;
        budget.charge(Some(piece.len()))?;
        out.push_str(&piece);
        i += 1;
    }
    if args.next < args.items.len() && args.mapping.is_none() {
        return Err("not all arguments converted during string formatting".into());
    }
    Ok(out)
}

/// A run of decimal digits (width or precision); empty means 0.
fn number(chars: &[char], i: &mut usize) -> Result<usize, String> {
    let mut n: usize = 0;
    while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(d as usize))
            .ok_or("width too big")?;
        *i += 1;
    }
    Ok(n)
}

fn lookup(mapping: Option<&Obj>, key: &str) -> Result<Obj, String> {
    match mapping {
        Some(Obj::Dict(d)) => d
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("KeyError: {}", repr_str(key, false))),
        Some(Obj::List(_)) => Err("list indices must be integers or slices, not str".into()),
        _ => Err("format requires a mapping".into()),
    }
}

/// Pad `body` (after its `sign`/`prefix`) to the width: left-justified, zero-filled
/// between sign and digits, or right-justified with spaces.
fn pad(sign: &str, body: &str, spec: &Spec, zero_ok: bool) -> String {
    let len = sign.chars().count() + body.chars().count();
    let fill = spec.width.saturating_sub(len);
    if spec.left {
        format!("{sign}{body}{}", " ".repeat(fill))
    } else if spec.zero && zero_ok {
        format!("{sign}{}{body}", "0".repeat(fill))
    } else {
        format!("{}{sign}{body}", " ".repeat(fill))
    }
}

fn sign_of(negative: bool, spec: &Spec) -> &'static str {
    if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    }
}

fn convert(conv: char, value: &Obj, spec: &Spec) -> Result<String, String> {
    match conv {
        's' | 'r' | 'a' => {
            let text = match conv {
                's' => py_str(value),
                'r' => py_repr(value, false),
                _ => py_repr(value, true),
            };
            let text: String = match spec.prec {
                Some(p) => text.chars().take(p).collect(),
                None => text,
            };
            Ok(pad("", &text, spec, false))
        }
        'c' => {
            let code = match value {
                Obj::Int(i) => Some(*i),
                Obj::Bool(b) => Some(i64::from(*b)),
                _ => None,
            };
            let c = match (code, value) {
                (Some(v), _) => {
                    let v = u32::try_from(v)
                        .ok()
                        .filter(|v| *v < 0x110000)
                        .ok_or("%c arg not in range(0x110000)")?;
                    char::from_u32(v).ok_or("surrogate characters are not supported")?
                }
                (None, Obj::Str(s)) if s.chars().count() == 1 => s.chars().next().unwrap_or(' '),
                _ => return Err("%c requires int or char".into()),
            };
            Ok(pad("", &c.to_string(), spec, false))
        }
        'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
            let v = match value {
                Obj::Int(i) => *i,
                Obj::Bool(b) => i64::from(*b),
                Obj::Float(f) if matches!(conv, 'd' | 'i' | 'u') => float_to_int(*f)?,
                other if matches!(conv, 'd' | 'i' | 'u') => {
                    return Err(format!(
                        "%{conv} format: a real number is required, not {}",
                        other.type_name()
                    ))
                }
                other => {
                    return Err(format!(
                        "%{conv} format: an integer is required, not {}",
                        other.type_name()
                    ))
                }
            };
            let magnitude = v.unsigned_abs();
            let mut digits = match conv {
                'x' => format!("{magnitude:x}"),
                'X' => format!("{magnitude:X}"),
                'o' => format!("{magnitude:o}"),
                _ => magnitude.to_string(),
            };
            if let Some(p) = spec.prec {
                if p > digits.len() {
                    digits = format!("{}{digits}", "0".repeat(p - digits.len()));
                }
            }
            let prefix = match (spec.alt, conv) {
                (true, 'x') => "0x",
                (true, 'X') => "0X",
                (true, 'o') => "0o",
                _ => "",
            };
            let sign = format!("{}{prefix}", sign_of(v < 0, spec));
            Ok(pad(&sign, &digits, spec, true))
        }
        _ => {
            let x = match value {
                Obj::Float(f) => *f,
                Obj::Int(i) => *i as f64,
                Obj::Bool(b) => f64::from(u8::from(*b)),
                other => return Err(format!("must be real number, not {}", other.type_name())),
            };
            let body = float_body(conv, x.abs(), spec);
            let body = if conv.is_ascii_uppercase() {
                body.to_uppercase()
            } else {
                body
            };
            Ok(pad(
                sign_of(x.is_sign_negative() && !x.is_nan(), spec),
                &body,
                spec,
                true,
            ))
        }
    }
}

fn float_to_int(f: f64) -> Result<i64, String> {
    if f.is_nan() {
        return Err("cannot convert float NaN to integer".into());
    }
    if f.is_infinite() {
        return Err("cannot convert float infinity to integer".into());
    }
    let t = f.trunc();
    if !(-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&t) {
        return Err("integer overflow (herd integers are 64-bit)".into());
    }
    Ok(t as i64)
}

/// The digits of a non-negative float for `%e`, `%f` or `%g` (any case).
fn float_body(conv: char, x: f64, spec: &Spec) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return "inf".into();
    }
    let prec = spec.prec.unwrap_or(6);
    match conv.to_ascii_lowercase() {
        'f' => {
            let s = format!("{x:.prec$}");
            if spec.alt && prec == 0 {
                format!("{s}.")
            } else {
                s
            }
        }
        'e' => pyfmt::printf_e(x, prec, spec.alt),
        _ => pyfmt::printf_g(x, prec, spec.alt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expr_float_repr_matches_python() {
        let cases = [
            (1.0, "1.0"),
            (100.0, "100.0"),
            (0.0001, "0.0001"),
            (1234567.89, "1234567.89"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (5.623413251903491e-05, "5.623413251903491e-05"),
            (1e100, "1e+100"),
            (0.1, "0.1"),
            (-0.0, "-0.0"),
            (-2.5, "-2.5"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ];
        for (x, want) in cases {
            assert_eq!(repr_f64(x), want, "{x:e}");
        }
    }

    #[test]
    fn expr_string_repr_matches_python() {
        assert_eq!(repr_str("a", false), "'a'");
        assert_eq!(repr_str("it's", false), "\"it's\"");
        assert_eq!(repr_str("a\"b'c", false), "'a\"b\\'c'");
        assert_eq!(repr_str("é\n\x00\\", false), "'é\\n\\x00\\\\'");
        assert_eq!(repr_str("é", true), "'\\xe9'");
        assert_eq!(
            repr_str("\u{a0}\u{200b}\u{2028}😀", false),
            "'\\xa0\\u200b\\u2028😀'"
        );
        assert_eq!(repr_str("😀", true), "'\\U0001f600'");
    }
}
