//! The parser's atoms: names, literals and strings, and the bracketed forms
//! (parentheses, lists, sets and dicts, comprehensions, call arguments, slices).

use super::{starts_expr, PResult, Parser};
use crate::expr::ast::{Const, Node};
use crate::expr::lex::{StrLit, Tok};

impl Parser<'_> {
    pub(super) fn atom(&mut self) -> PResult {
        let col = self.col();
        let node = match self.peek().clone() {
            Tok::Name(n) => Node::Name(n),
            Tok::Kw("True") => Node::Const(Const::Bool(true)),
            Tok::Kw("False") => Node::Const(Const::Bool(false)),
            Tok::Kw("None") => Node::Const(Const::None),
            Tok::Int(i) => Node::Const(Const::Int(i)),
            Tok::BigInt(_) => Node::Const(Const::Unsupported(
                "integer literals beyond 64 bits are not supported".into(),
            )),
            Tok::Float(f) => Node::Const(Const::Float(f)),
            Tok::Imag => Node::Const(Const::Unsupported(
                "complex literals are not supported".into(),
            )),
            Tok::Op("...") => {
                Node::Const(Const::Unsupported("Ellipsis (...) is not supported".into()))
            }
            Tok::Str(_) => return self.strings(),
            Tok::Op("(") => {
                self.bump();
                return self.paren(col);
            }
            Tok::Op("[") => {
                self.bump();
                return self.list(col);
            }
            Tok::Op("{") => {
                self.bump();
                return self.brace(col);
            }
            _ => return Err(self.unexpected()),
        };
        self.bump();
        Ok(node)
    }

    /// Adjacent string literals, concatenated as Python does.
    pub(super) fn strings(&mut self) -> PResult {
        let col = self.col();
        let mut parts = Vec::new();
        while let Tok::Str(s) = self.peek() {
            parts.push(s.clone());
            self.bump();
        }
        let bytes = parts.iter().filter(|p| **p == StrLit::Bytes).count();
        if bytes > 0 && bytes < parts.len() {
            return Err(format!(
                "cannot mix bytes and nonbytes literals at column {col}"
            ));
        }
        if bytes > 0 {
            return Ok(Node::Const(Const::Unsupported(
                "bytes literals are not supported".into(),
            )));
        }
        let mut text = String::new();
        for part in parts {
            match part {
                StrLit::Text(t) => text.push_str(&t),
                _ => return Ok(Node::Disallowed("JoinedStr")),
            }
        }
        Ok(Node::Const(Const::Str(text)))
    }

    pub(super) fn at_comprehension(&self) -> bool {
        self.is_kw("for") || self.is_kw("async")
    }

    /// After `(`: an empty tuple, a group, a tuple, a generator, or a yield.
    pub(super) fn paren(&mut self, open: usize) -> PResult {
        if self.eat_op(")") {
            return Ok(Node::Tuple(Vec::new()));
        }
        if self.eat_kw("yield") {
            let kind = if self.eat_kw("from") {
                self.expression()?;
                "YieldFrom"
            } else {
                while starts_expr(self.peek()) || self.is_op("*") {
                    self.star_named_expression()?;
                    if !self.eat_op(",") {
                        break;
                    }
                }
                "Yield"
            };
            self.close("(", open)?;
            return Ok(Node::Disallowed(kind));
        }
        let first = self.star_named_expression()?;
        let starred = first == Node::Disallowed("Starred");
        if self.at_comprehension() && !starred {
            self.comprehension()?;
            self.close("(", open)?;
            return Ok(Node::Disallowed("GeneratorExp"));
        }
        if self.eat_op(",") {
            let mut elts = vec![first];
            while !self.is_op(")") {
                elts.push(self.star_named_expression()?);
                if !self.eat_op(",") {
                    break;
                }
            }
            self.close("(", open)?;
            return Ok(Node::Tuple(elts));
        }
        self.close("(", open)?;
        if starred {
            return Err(format!(
                "cannot use starred expression here at column {}",
                open + 1
            ));
        }
        Ok(first)
    }

    /// After `[`: a list or a list comprehension.
    pub(super) fn list(&mut self, open: usize) -> PResult {
        if self.eat_op("]") {
            return Ok(Node::List(Vec::new()));
        }
        let first = self.star_named_expression()?;
        if self.at_comprehension() {
            self.comprehension()?;
            self.close("[", open)?;
            return Ok(Node::Disallowed("ListComp"));
        }
        let mut elts = vec![first];
        while self.eat_op(",") {
            if self.is_op("]") {
                break;
            }
            elts.push(self.star_named_expression()?);
        }
        self.close("[", open)?;
        Ok(Node::List(elts))
    }

    /// After `{`: a dict, a set, or their comprehensions (all disallowed).
    pub(super) fn brace(&mut self, open: usize) -> PResult {
        if self.eat_op("}") {
            return Ok(Node::Disallowed("Dict"));
        }
        if self.eat_op("**") {
            self.bitwise_or()?;
            self.dict_rest(open)?;
            return Ok(Node::Disallowed("Dict"));
        }
        self.star_named_expression()?;
        if self.eat_op(":") {
            self.expression()?;
            if self.at_comprehension() {
                self.comprehension()?;
                self.close("{", open)?;
                return Ok(Node::Disallowed("DictComp"));
            }
            self.dict_rest(open)?;
            return Ok(Node::Disallowed("Dict"));
        }
        if self.at_comprehension() {
            self.comprehension()?;
            self.close("{", open)?;
            return Ok(Node::Disallowed("SetComp"));
        }
        while self.eat_op(",") {
            if self.is_op("}") {
                break;
            }
            self.star_named_expression()?;
        }
        self.close("{", open)?;
        Ok(Node::Disallowed("Set"))
    }

    /// The remaining `, key: value` / `, **mapping` items of a dict display.
    pub(super) fn dict_rest(&mut self, open: usize) -> Result<(), String> {
        while self.eat_op(",") {
            if self.is_op("}") {
                break;
            }
            if self.eat_op("**") {
                self.bitwise_or()?;
            } else {
                self.expression()?;
                self.expect_op(":")?;
                self.expression()?;
            }
        }
        self.close("{", open)
    }

    /// `for_if_clauses` of a comprehension (targets are not checked for assignability).
    pub(super) fn comprehension(&mut self) -> Result<(), String> {
        while self.at_comprehension() {
            self.eat_kw("async");
            self.expect_kw("for")?;
            loop {
                self.eat_op("*");
                self.bitwise_or()?;
                if !self.eat_op(",") || self.is_kw("in") {
                    break;
                }
            }
            self.expect_kw("in")?;
            self.disjunction()?;
            while self.eat_kw("if") {
                self.disjunction()?;
            }
        }
        Ok(())
    }

    /// After the `(` of a call: positional arguments and the number of keyword ones.
    pub(super) fn call_args(&mut self, open: usize) -> Result<(Vec<Node>, usize), String> {
        let mut args = Vec::new();
        let mut keywords = 0;
        let mut dstar = false;
        while !self.is_op(")") {
            let col = self.col();
            if self.eat_op("*") {
                if dstar {
                    return Err(format!("iterable argument unpacking follows keyword argument unpacking at column {col}"));
                }
                self.expression()?;
                args.push(Node::Disallowed("Starred"));
            } else if self.eat_op("**") {
                self.expression()?;
                keywords += 1;
                dstar = true;
            } else if matches!(self.peek(), Tok::Name(_)) && self.token(1).tok == Tok::Op("=") {
                self.bump();
                self.bump();
                self.expression()?;
                keywords += 1;
            } else {
                let arg = self.named_expression()?;
                if self.at_comprehension() {
                    self.comprehension()?;
                    if !args.is_empty() || keywords > 0 || !self.is_op(")") {
                        return Err(format!(
                            "Generator expression must be parenthesized at column {col}"
                        ));
                    }
                    args.push(Node::Disallowed("GeneratorExp"));
                } else if dstar {
                    return Err(format!(
                        "positional argument follows keyword argument unpacking at column {col}"
                    ));
                } else if keywords > 0 {
                    return Err(format!(
                        "positional argument follows keyword argument at column {col}"
                    ));
                } else {
                    args.push(arg);
                }
            }
            if !self.eat_op(",") {
                break;
            }
        }
        self.close("(", open)?;
        Ok((args, keywords))
    }

    /// The inside of a subscript: slices and expressions, comma-separated.
    pub(super) fn slices(&mut self) -> Result<(), String> {
        if self.is_op("]") {
            return Err(self.unexpected());
        }
        loop {
            if self.eat_op("*") {
                self.expression()?;
            } else {
                if !self.is_op(":") {
                    self.named_expression()?;
                }
                if self.eat_op(":") {
                    if starts_expr(self.peek()) {
                        self.expression()?;
                    }
                    if self.eat_op(":") && starts_expr(self.peek()) {
                        self.expression()?;
                    }
                }
            }
            if !self.eat_op(",") || self.is_op("]") {
                return Ok(());
            }
        }
    }
}
