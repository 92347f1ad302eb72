//! Operators with CPython 3.11 semantics: arithmetic (bool is an int, `/` is true
//! division, `//` and `%` floor toward negative infinity), sequence concatenation
//! and repetition, `str % value`, comparisons and membership.
//!
//! Integers are 64-bit: where Python's unbounded integers would grow past that,
//! the result is the error `integer overflow`. Messages follow Python's exceptions.

use super::ast::{BinOp, CmpOp, UnOp};
use super::eval::{Budget, Obj};
use super::fmt;
use std::cmp::Ordering;

const OVERFLOW: &str = "integer overflow (herd integers are 64-bit)";

/// A number: bool and int are both integers.
#[derive(Clone, Copy)]
enum Num {
    I(i64),
    F(f64),
}

fn num(o: &Obj) -> Option<Num> {
    match o {
        Obj::Bool(b) => Some(Num::I(i64::from(*b))),
        Obj::Int(i) => Some(Num::I(*i)),
        Obj::Float(f) => Some(Num::F(*f)),
        _ => None,
    }
}

impl Num {
    fn f(self) -> f64 {
        match self {
            Num::I(i) => i as f64,
            Num::F(f) => f,
        }
    }
}

fn unsupported(sym: &str, a: &Obj, b: &Obj) -> String {
    format!(
        "unsupported operand type(s) for {sym}: '{}' and '{}'",
        a.type_name(),
        b.type_name()
    )
}

/// Unary `+` and `-` (`not` is handled by the evaluator).
pub(crate) fn unary(op: UnOp, v: Obj) -> Result<Obj, String> {
    let sym = match op {
        UnOp::UAdd => "+",
        UnOp::USub => "-",
        UnOp::Not | UnOp::Invert => return Err(format!("unary {op:?} is not supported")),
    };
    match (num(&v), op) {
        (Some(Num::I(i)), UnOp::USub) => i
            .checked_neg()
            .map(Obj::Int)
            .ok_or_else(|| OVERFLOW.to_string()),
        (Some(Num::I(i)), _) => Ok(Obj::Int(i)),
        (Some(Num::F(f)), UnOp::USub) => Ok(Obj::Float(-f)),
        (Some(Num::F(f)), _) => Ok(Obj::Float(f)),
        (None, _) => Err(format!(
            "bad operand type for unary {sym}: '{}'",
            v.type_name()
        )),
    }
}

/// A binary operator.
pub(crate) fn binary(op: BinOp, a: Obj, b: Obj, budget: &mut Budget) -> Result<Obj, String> {
    if let (Some(x), Some(y)) = (num(&a), num(&b)) {
        return arith(op, x, y);
    }
    match op {
        BinOp::Add => concat(a, b),
        BinOp::Mult => match (&a, &b) {
            (Obj::Str(_) | Obj::List(_) | Obj::Tuple(_), _) => repeat(a, &b, budget),
            (_, Obj::Str(_) | Obj::List(_) | Obj::Tuple(_)) => repeat(b, &a, budget),
            _ => Err(unsupported("*", &a, &b)),
        },
        BinOp::Mod => match a {
            Obj::Str(f) => fmt::percent(&f, b, budget).map(Obj::Str),
            _ => Err(unsupported("%", &a, &b)),
        },
        BinOp::Sub => Err(unsupported("-", &a, &b)),
        BinOp::Div => Err(unsupported("/", &a, &b)),
        BinOp::FloorDiv => Err(unsupported("//", &a, &b)),
        BinOp::Pow => Err(unsupported("** or pow()", &a, &b)),
        _ => Err(format!("operator {op:?} is not supported")),
    }
}

/// `+` on sequences: str + str, list + list, tuple + tuple.
fn concat(a: Obj, b: Obj) -> Result<Obj, String> {
    match (a, b) {
        (Obj::Str(mut x), Obj::Str(y)) => {
            x.push_str(&y);
            Ok(Obj::Str(x))
        }
        (Obj::List(mut x), Obj::List(y)) => {
            x.extend(y);
            Ok(Obj::List(x))
        }
        (Obj::Tuple(mut x), Obj::Tuple(y)) => {
            x.extend(y);
            Ok(Obj::Tuple(x))
        }
        (a @ (Obj::Str(_) | Obj::List(_) | Obj::Tuple(_)), b) => Err(format!(
            "can only concatenate {} (not \"{}\") to {}",
            a.type_name(),
            b.type_name(),
            a.type_name()
        )),
        (a, b) => Err(unsupported("+", &a, &b)),
    }
}

/// `seq * n` (or `n * seq`): a count of zero or less gives an empty sequence.
fn repeat(seq: Obj, count: &Obj, budget: &mut Budget) -> Result<Obj, String> {
    let n = match num(count) {
        Some(Num::I(n)) => usize::try_from(n.max(0)).unwrap_or(usize::MAX),
        _ => {
            return Err(format!(
                "can't multiply sequence by non-int of type '{}'",
                count.type_name()
            ))
        }
    };
    let content = match &seq {
        Obj::Str(s) => s.len(),
        Obj::List(v) | Obj::Tuple(v) => v
            .iter()
            .fold(0usize, |acc, o| acc.saturating_add(o.weight())),
        _ => 0,
    };
    let n = if content == 0 { 0 } else { n };
    budget.charge(content.checked_mul(n))?;
    Ok(match seq {
        Obj::Str(s) => Obj::Str(s.repeat(n)),
        Obj::List(v) => Obj::List(repeat_items(&v, n)),
        Obj::Tuple(v) => Obj::Tuple(repeat_items(&v, n)),
        other => other,
    })
}

fn repeat_items(items: &[Obj], n: usize) -> Vec<Obj> {
    let mut out = Vec::with_capacity(items.len().saturating_mul(n));
    for _ in 0..n {
        out.extend_from_slice(items);
    }
    out
}

/// Arithmetic on two numbers.
fn arith(op: BinOp, x: Num, y: Num) -> Result<Obj, String> {
    use Num::I;
    let int = |r: Option<i64>| r.map(Obj::Int).ok_or_else(|| OVERFLOW.to_string());
    match (op, x, y) {
        (BinOp::Add, I(a), I(b)) => int(a.checked_add(b)),
        (BinOp::Sub, I(a), I(b)) => int(a.checked_sub(b)),
        (BinOp::Mult, I(a), I(b)) => int(a.checked_mul(b)),
        (BinOp::Add, ..) => Ok(Obj::Float(x.f() + y.f())),
        (BinOp::Sub, ..) => Ok(Obj::Float(x.f() - y.f())),
        (BinOp::Mult, ..) => Ok(Obj::Float(x.f() * y.f())),
        (BinOp::Div, I(_), I(0)) => Err("division by zero".into()),
        (BinOp::Div, I(a), I(b)) => Ok(Obj::Float(int_true_div(a, b))),
        (BinOp::Div, ..) if y.f() == 0.0 => Err("float division by zero".into()),
        (BinOp::Div, ..) => Ok(Obj::Float(x.f() / y.f())),
        (BinOp::FloorDiv, I(_), I(0)) => Err("integer division or modulo by zero".into()),
        (BinOp::FloorDiv, I(a), I(b)) => int(int_floor_div(a, b)),
        (BinOp::FloorDiv, ..) if y.f() == 0.0 => Err("float floor division by zero".into()),
        (BinOp::FloorDiv, ..) => Ok(Obj::Float(float_divmod(x.f(), y.f()).0)),
        (BinOp::Mod, I(_), I(0)) => Err("integer modulo by zero".into()),
        (BinOp::Mod, I(a), I(b)) => Ok(Obj::Int(int_mod(a, b))),
        (BinOp::Mod, ..) if y.f() == 0.0 => Err("float modulo".into()),
        (BinOp::Mod, ..) => Ok(Obj::Float(float_mod(x.f(), y.f()))),
        (BinOp::Pow, I(a), I(b)) if b >= 0 => int(int_pow(a, b)),
        (BinOp::Pow, ..) => float_pow(x.f(), y.f()).map(Obj::Float),
        _ => Err(format!("operator {op:?} is not supported")),
    }
}

/// `a / b` for integers, correctly rounded like CPython's `long_true_divide`
/// (converting both to float first would round twice beyond 2^53).
fn int_true_div(a: i64, b: i64) -> f64 {
    const EXACT: u64 = 1 << 53;
    if a.unsigned_abs() <= EXACT && b.unsigned_abs() <= EXACT {
        return a as f64 / b as f64;
    }
    let negative = (a < 0) != (b < 0);
    let (n, d) = (u128::from(a.unsigned_abs()), u128::from(b.unsigned_abs()));
    if n == 0 {
        return if negative { -0.0 } else { 0.0 };
    }
    let bits = |v: u128| 128 - i64::from(v.leading_zeros());
    // Scale so that the integer quotient has 55 or 56 bits (2 or 3 beyond 53).
    let shift = 55 + bits(d) - bits(n);
    let (n, d) = if shift >= 0 {
        (n << shift, d)
    } else {
        (n, d << -shift)
    };
    let (q, r) = (n / d, n % d);
    let extra = bits(q) - 53;
    let mut mant = q >> extra;
    let rest = q & ((1 << extra) - 1);
    let half = 1u128 << (extra - 1);
    if rest > half || (rest == half && (r != 0 || mant & 1 == 1)) {
        mant += 1;
    }
    let exp = extra - shift;
    let scale = f64::from_bits(((exp + 1023) as u64) << 52);
    let v = mant as f64 * scale;
    if negative {
        -v
    } else {
        v
    }
}

/// Floor division of integers (`b != 0`); `None` on overflow.
fn int_floor_div(a: i64, b: i64) -> Option<i64> {
    let q = a.checked_div(b)?;
    if a % b != 0 && ((a < 0) != (b < 0)) {
        Some(q - 1)
    } else {
        Some(q)
    }
}

/// Modulo of integers with the sign of the divisor (`b != 0`).
fn int_mod(a: i64, b: i64) -> i64 {
    if b == -1 {
        return 0;
    }
    let r = a % b;
    if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    }
}

/// CPython's `_float_div_mod`: (floor quotient, modulo) for `wx != 0`.
fn float_divmod(vx: f64, wx: f64) -> (f64, f64) {
    let mut m = vx % wx;
    let mut div = (vx - m) / wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(wx);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(vx / wx)
    };
    (floordiv, m)
}

/// CPython's `float_rem` for `wx != 0`.
fn float_mod(vx: f64, wx: f64) -> f64 {
    let m = vx % wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m + wx
        } else {
            m
        }
    } else {
        0.0f64.copysign(wx)
    }
}

/// `a ** b` for integers with `b >= 0`; `None` on overflow.
fn int_pow(a: i64, b: i64) -> Option<i64> {
    match a {
        0 => Some(i64::from(b == 0)),
        1 => Some(1),
        -1 => Some(if b % 2 == 0 { 1 } else { -1 }),
        _ => a.checked_pow(u32::try_from(b).ok()?),
    }
}

fn is_odd_integer(x: f64) -> bool {
    (x.abs() % 2.0) == 1.0
}

/// CPython's `float_pow`, special cases included.
// The power itself is glibc's `pow` (crate::text::glibm), as CPython on glibc computes it.
fn float_pow(iv: f64, iw: f64) -> Result<f64, String> {
    if iw == 0.0 {
        return Ok(1.0);
    }
    if iv.is_nan() {
        return Ok(iv);
    }
    if iw.is_nan() {
        return Ok(if iv == 1.0 { 1.0 } else { iw });
    }
    if iw.is_infinite() {
        let a = iv.abs();
        return Ok(if a == 1.0 {
            1.0
        } else if (iw > 0.0) == (a > 1.0) {
            iw.abs()
        } else {
            0.0
        });
    }
    if iv.is_infinite() {
        let odd = is_odd_integer(iw);
        return Ok(if iw > 0.0 {
            if odd {
                iv
            } else {
                iv.abs()
            }
        } else if odd {
            0.0f64.copysign(iv)
        } else {
            0.0
        });
    }
    if iv == 0.0 {
        if iw < 0.0 {
            return Err("0.0 cannot be raised to a negative power".into());
        }
        return Ok(if is_odd_integer(iw) { iv } else { 0.0 });
    }
    let mut base = iv;
    let mut negate = false;
    if iv < 0.0 {
        if iw != iw.floor() {
            // Python returns a complex number here.
            return Err(
                "a negative number raised to a fractional power is complex, which is not supported"
                    .into(),
            );
        }
        base = -iv;
        negate = is_odd_integer(iw);
    }
    if base == 1.0 {
        return Ok(if negate { -1.0 } else { 1.0 });
    }
    let r = crate::text::glibm::pow(base, iw);
    if r.is_infinite() {
        return Err("(34, 'Numerical result out of range')".into());
    }
    Ok(if negate { -r } else { r })
}

/// Exact comparison of two numbers (Python compares int and float exactly);
/// `None` when a NaN is involved.
fn num_cmp(x: Num, y: Num) -> Option<Ordering> {
    match (x, y) {
        (Num::I(a), Num::I(b)) => Some(a.cmp(&b)),
        (Num::F(a), Num::F(b)) => a.partial_cmp(&b),
        (Num::I(a), Num::F(b)) => int_float_cmp(a, b),
        (Num::F(a), Num::I(b)) => int_float_cmp(b, a).map(Ordering::reverse),
    }
}

fn int_float_cmp(i: i64, f: f64) -> Option<Ordering> {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if f.is_nan() {
        return None;
    }
    if f >= LIMIT {
        return Some(Ordering::Less);
    }
    if f < -LIMIT {
        return Some(Ordering::Greater);
    }
    let t = f.trunc();
    Some(
        i.cmp(&(t as i64))
            .then_with(|| 0.0f64.partial_cmp(&(f - t)).unwrap_or(Ordering::Equal)),
    )
}

/// Python `==` (which never fails for these types): numbers compare by value
/// across int, float and bool; other kinds only equal their own kind.
/// (Python also treats an object as equal to itself inside containers, so a list
/// holding one NaN object equals itself; herd has no object identity and does not.)
pub(crate) fn equal(a: &Obj, b: &Obj) -> bool {
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return num_cmp(x, y) == Some(Ordering::Equal);
    }
    match (a, b) {
        (Obj::None, Obj::None) => true,
        (Obj::Str(x), Obj::Str(y)) => x == y,
        (Obj::List(x), Obj::List(y)) | (Obj::Tuple(x), Obj::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        (Obj::Dict(x), Obj::Dict(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && equal(v, v2)))
        }
        (Obj::Func(f), Obj::Func(g)) => f == g,
        _ => false,
    }
}

fn holds(op: CmpOp, o: Ordering) -> bool {
    match op {
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::LtE => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::GtE => o != Ordering::Less,
        _ => false,
    }
}

fn symbol(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Lt => "<",
        CmpOp::LtE => "<=",
        CmpOp::Gt => ">",
        _ => ">=",
    }
}

/// One comparison `a op b`.
pub(crate) fn compare(op: CmpOp, a: &Obj, b: &Obj) -> Result<bool, String> {
    match op {
        CmpOp::Eq => Ok(equal(a, b)),
        CmpOp::NotEq => Ok(!equal(a, b)),
        CmpOp::In => contains(b, a),
        CmpOp::NotIn => contains(b, a).map(|r| !r),
        CmpOp::Lt | CmpOp::LtE | CmpOp::Gt | CmpOp::GtE => order(op, a, b),
        CmpOp::Is | CmpOp::IsNot => Err(format!("operator {op:?} is not supported")),
    }
}

/// Ordering comparisons: numbers, strings (by code point), and lists or tuples
/// lexicographically (first unequal items decide, then the lengths).
fn order(op: CmpOp, a: &Obj, b: &Obj) -> Result<bool, String> {
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return Ok(num_cmp(x, y).is_some_and(|o| holds(op, o)));
    }
    match (a, b) {
        (Obj::Str(x), Obj::Str(y)) => Ok(holds(op, x.as_str().cmp(y.as_str()))),
        (Obj::List(x), Obj::List(y)) | (Obj::Tuple(x), Obj::Tuple(y)) => {
            match x.iter().zip(y).find(|(p, q)| !equal(p, q)) {
                Some((p, q)) => order(op, p, q),
                None => Ok(holds(op, x.len().cmp(&y.len()))),
            }
        }
        _ => Err(format!(
            "'{}' not supported between instances of '{}' and '{}'",
            symbol(op),
            a.type_name(),
            b.type_name()
        )),
    }
}

/// The type that makes `o` unhashable (a list or dict, possibly inside a tuple).
fn unhashable(o: &Obj) -> Option<&'static str> {
    match o {
        Obj::List(_) | Obj::Dict(_) => Some(o.type_name()),
        Obj::Tuple(items) => items.iter().find_map(unhashable),
        _ => None,
    }
}

/// `item in container`.
fn contains(container: &Obj, item: &Obj) -> Result<bool, String> {
    match container {
        Obj::Str(s) => match item {
            Obj::Str(sub) => Ok(s.contains(sub.as_str())),
            other => Err(format!(
                "'in <string>' requires string as left operand, not {}",
                other.type_name()
            )),
        },
        Obj::List(v) | Obj::Tuple(v) => Ok(v.iter().any(|e| equal(e, item))),
        Obj::Dict(d) => match (item, unhashable(item)) {
            (_, Some(kind)) => Err(format!("unhashable type: '{kind}'")),
            (Obj::Str(k), None) => Ok(d.iter().any(|(key, _)| key == k)),
            _ => Ok(false),
        },
        other => Err(format!(
            "argument of type '{}' is not iterable",
            other.type_name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expr_int_true_division_is_correctly_rounded() {
        // Values checked against CPython 3.11.
        assert_eq!(int_true_div(9007199254740993, 1), 9007199254740992.0);
        assert_eq!(int_true_div(9007199254740993, 3), 3002399751580331.0);
        assert_eq!(int_true_div(i64::MAX, 7), 1.3176245766935393e18);
        assert_eq!(int_true_div(i64::MIN, -3), 3.0744573456182584e18);
        assert_eq!(int_true_div(1, i64::MAX), 1.0842021724855044e-19);
        assert_eq!(int_true_div(-5, 9007199254740995), -5.551115123125781e-16);
        assert_eq!(int_true_div(7, 2), 3.5);
    }

    #[test]
    fn expr_int_float_comparison_is_exact() {
        assert_eq!(
            int_float_cmp(9007199254740993, 9007199254740992.0),
            Some(Ordering::Greater)
        );
        assert_eq!(
            int_float_cmp(i64::MAX, 9223372036854775808.0),
            Some(Ordering::Less)
        );
        assert_eq!(
            int_float_cmp(i64::MIN, -9223372036854775808.0),
            Some(Ordering::Equal)
        );
        assert_eq!(int_float_cmp(2, 2.5), Some(Ordering::Less));
        assert_eq!(int_float_cmp(-2, -2.5), Some(Ordering::Greater));
        assert_eq!(int_float_cmp(0, f64::NAN), None);
        assert_eq!(int_float_cmp(0, -0.0), Some(Ordering::Equal));
    }
}
