//! Condition expressions: a small, safe subset of Python expressions.
//! (Placeholder interface; the implementation lands in its own change.)

use crate::value::Value;

/// A compiled expression.
#[derive(Debug, Clone)]
pub struct Expr {
    src: String,
}

impl Expr {
    /// Compile `src`; `names` are the names the expression may use.
    pub fn compile(src: &str, names: &[&str]) -> Result<Expr, String> {
        let _ = names;
        Ok(Expr {
            src: src.to_string(),
        })
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.src
    }

    /// Evaluate against `env` (expression names to values).
    pub fn eval(&self, env: &[(&str, &Value)]) -> Result<Value, String> {
        let _ = env;
        Err(format!("expression '{}' cannot be evaluated yet", self.src))
    }
}

/// Python truthiness of a value.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::List(l) => !l.is_empty(),
        Value::Map(m) => !m.is_empty(),
    }
}
