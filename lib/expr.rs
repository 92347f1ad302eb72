//! Condition expressions (`when.expr`, `set.K.expr`): a small, safe subset of Python
//! expressions, validated when the config is loaded and evaluated with CPython 3.11
//! semantics (spec §2.5).
//!
//! The language: names; literals (ints in any base with `_`, floats, strings with
//! prefixes and escapes, `True`, `False`, `None`); unary `+ - not`; binary
//! `+ - * / // % **`; comparisons `== != < <= > >= in not in`, chained; `and`/`or`
//! (short-circuit, returning an operand); `a if c else b`; tuple and list literals;
//! calls to `min`/`max` by bare name with positional arguments.
//!
//! Validation reproduces the reference's messages and their order: Python syntax
//! errors (`Invalid expression …`, with herd's own parser text), then disallowed
//! syntax named by its Python AST class (`Attribute`, `Subscript`, `Lambda`, …) or
//! a disallowed call, then unknown names.
//!
//! Where herd differs from the reference, deliberately:
//! - bytes literals, `...`, complex literals and integer literals beyond 64 bits are
//!   rejected at load (`Unsupported constant in expression …`); Python accepts them;
//! - integers are 64-bit: a result Python would make bigger is the error
//!   `integer overflow`, and a negative number to a fractional power (complex in
//!   Python) is an error;
//! - an evaluation may build at most about 4 M units of strings and list items
//!   (`result too large`), where Python would exhaust memory;
//! - nesting is limited (64 levels of brackets or unary operators, a tree 200 deep,
//!   4096 tokens), where Python's limits are higher;
//! - `\N{…}` string escapes and lone surrogates are syntax errors.
//!
//! Runtime errors are returned as Python-like messages (`division by zero`, …);
//! nothing panics.

mod ast;
mod eval;
mod fmt;
mod lex;
mod ops;
mod parse;

use crate::text::value::Value;

/// The deepest syntax tree accepted (evaluation recurses over it).
const MAX_HEIGHT: usize = 200;

/// A compiled expression.
#[derive(Debug, Clone)]
pub struct Expr {
    src: String,
    root: ast::Node,
}

impl Expr {
    /// Compile `src`; `names` are the names the expression may use (`min` and `max`
    /// are always available as functions unless a name shadows them).
    pub fn compile(src: &str, names: &[&str]) -> Result<Expr, String> {
        let quoted = fmt::repr_str(src, false);
        let invalid = |msg: String| format!("Invalid expression {quoted}: {msg}");
        let tokens = lex::tokenize(src).map_err(invalid)?;
        let root = parse::parse(&tokens).map_err(invalid)?;
        if ast::height(&root) > MAX_HEIGHT {
            return Err(invalid(format!(
                "expression is nested too deeply (more than {MAX_HEIGHT} levels)"
            )));
        }
        ast::validate(&root, &quoted, names)?;
        Ok(Expr {
            src: src.to_string(),
            root,
        })
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.src
    }

    /// The names the expression reads, each once: a result depends on the values of
    /// these names only (evaluation is pure), so callers may reuse it for every
    /// environment that agrees on them.
    pub fn names(&self) -> Vec<&str> {
        ast::names(&self.root)
    }

    /// Evaluate against `env` (expression names to values). A tuple result is
    /// returned as a list.
    pub fn eval(&self, env: &[(&str, &Value)]) -> Result<Value, String> {
        eval::Eval::new(env).eval(&self.root)?.into_value()
    }
}

/// Python truthiness of a value.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::BigInt(_) => true,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::List(l) => !l.is_empty(),
        Value::Map(m) => !m.is_empty(),
    }
}

#[cfg(test)]
mod tests;
