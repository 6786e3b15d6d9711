//! A depth-limited parser for SCIM filters.
//!
//! Text is first split into tokens, then read by recursive descent with
//! `or` below `and` below `not`, parentheses and value paths. Both the
//! nesting of the input and the depth of the tree it builds are capped at
//! [`MAX_DEPTH`], so no input can exhaust the stack here, or later when the
//! tree is printed, compared or dropped.

use serde_json::Number;

use super::{AttrPath, CompValue, CompareOp, Filter, FilterError};

/// The deepest filter tree accepted. A chain of `n` `and`/`or` terms is `n`
/// deep, so this also bounds how many terms one chain may have.
pub const MAX_DEPTH: usize = 128;

#[derive(Clone, Debug, PartialEq)]
enum Token {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Word(String),
    Str(String),
    Num(Number),
}

pub(super) fn parse(input: &str) -> Result<Filter, FilterError> {
    let tokens = lex(input)?;
    let mut parser = Parser {
        tokens,
        next: 0,
        end: input.len(),
    };
    let (filter, _) = parser.or_expr(0)?;
    match parser.peek() {
        None => Ok(filter),
        Some((pos, token)) => Err(FilterError::new(
            pos,
            format!("unexpected {token:?} after a complete filter"),
        )),
    }
}

fn lex(input: &str) -> Result<Vec<(usize, Token)>, FilterError> {
    let bytes = input.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let token = match bytes[i] {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'(' => Token::LParen,
            b')' => Token::RParen,
            b'[' => Token::LBracket,
            b']' => Token::RBracket,
            b'"' => {
                i = string_end(bytes, i)?;
                let literal: String = serde_json::from_str(&input[start..i])
                    .map_err(|e| FilterError::new(start, format!("bad string literal: {e}")))?;
                tokens.push((start, Token::Str(literal)));
                continue;
            }
            b'-' | b'0'..=b'9' => {
                i = scan(bytes, i, |b| {
                    b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')
                });
                let number = json_number(&input[start..i]).ok_or_else(|| {
                    FilterError::new(start, format!("bad number {:?}", &input[start..i]))
                })?;
                tokens.push((start, Token::Num(number)));
                continue;
            }
            b if is_word_byte(b) => {
                i = scan(bytes, i, is_word_byte);
                tokens.push((start, Token::Word(input[start..i].to_owned())));
                continue;
            }
            _ => {
                let c = input[i..].chars().next().unwrap_or_default();
                return Err(FilterError::new(i, format!("unexpected character {c:?}")));
            }
        };
        tokens.push((start, token));
        i += 1;
    }
    Ok(tokens)
}

/// Reads a JSON number (RFC 8259 §6). Floats go through the standard
/// library's correctly rounded parser, so a printed float reads back exactly.
fn json_number(text: &str) -> Option<Number> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (int_part, fraction) = match mantissa.split_once('.') {
        Some((int_part, fraction)) => (int_part, Some(fraction)),
        None => (mantissa, None),
    };
    let valid = digits(int_part)
        && (int_part == "0" || !int_part.starts_with('0'))
        && fraction.is_none_or(digits)
        && exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    if !valid {
        return None;
    }
    if fraction.is_none() && exponent.is_none() {
        if let Ok(n) = text.parse::<i64>() {
            return Some(n.into());
        }
        if let Ok(n) = text.parse::<u64>() {
            return Some(n.into());
        }
    }
    text.parse::<f64>().ok().and_then(Number::from_f64)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'_' | b'-' | b'$')
}

fn scan(bytes: &[u8], mut i: usize, keep: impl Fn(u8) -> bool) -> usize {
    while i < bytes.len() && keep(bytes[i]) {
        i += 1;
    }
    i
}

/// The index just past the closing quote of the string starting at `start`.
fn string_end(bytes: &[u8], start: usize) -> Result<usize, FilterError> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Ok(i + 1),
            _ => i += 1,
        }
    }
    Err(FilterError::new(start, "unterminated string"))
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    next: usize,
    end: usize,
}

/// A parsed subtree and its depth.
type Parsed = (Filter, usize);

impl Parser {
    fn peek(&self) -> Option<(usize, &Token)> {
        self.tokens.get(self.next).map(|(pos, token)| (*pos, token))
    }

    fn position(&self) -> usize {
        self.peek().map_or(self.end, |(pos, _)| pos)
    }

    fn bump(&mut self) -> Option<(usize, Token)> {
        let token = self.tokens.get(self.next).cloned();
        self.next += 1;
        token
    }

    fn peek_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some((_, Token::Word(w))) if w.eq_ignore_ascii_case(keyword))
    }

    fn expect(&mut self, expected: Token, what: &str) -> Result<(), FilterError> {
        let pos = self.position();
        match self.bump() {
            Some((_, token)) if token == expected => Ok(()),
            _ => Err(FilterError::new(pos, format!("expected {what}"))),
        }
    }

    fn combine(&self, pos: usize, node: Filter, depth: usize) -> Result<Parsed, FilterError> {
        if depth > MAX_DEPTH {
            return Err(FilterError::new(
                pos,
                format!("the filter is nested deeper than {MAX_DEPTH}"),
            ));
        }
        Ok((node, depth))
    }

    fn or_expr(&mut self, nesting: usize) -> Result<Parsed, FilterError> {
        let (mut left, mut depth) = self.and_expr(nesting)?;
        while self.peek_keyword("or") {
            let pos = self.position();
            self.bump();
            let (right, right_depth) = self.and_expr(nesting)?;
            (left, depth) = self.combine(pos, left.or(right), 1 + depth.max(right_depth))?;
        }
        Ok((left, depth))
    }

    fn and_expr(&mut self, nesting: usize) -> Result<Parsed, FilterError> {
        let (mut left, mut depth) = self.unary(nesting)?;
        while self.peek_keyword("and") {
            let pos = self.position();
            self.bump();
            let (right, right_depth) = self.unary(nesting)?;
            (left, depth) = self.combine(pos, left.and(right), 1 + depth.max(right_depth))?;
        }
        Ok((left, depth))
    }

    fn nested(&mut self, nesting: usize, close: Token, what: &str) -> Result<Parsed, FilterError> {
        if nesting >= MAX_DEPTH {
            return Err(FilterError::new(
                self.position(),
                format!("the filter is nested deeper than {MAX_DEPTH}"),
            ));
        }
        let inner = self.or_expr(nesting + 1)?;
        self.expect(close, what)?;
        Ok(inner)
    }

    fn unary(&mut self, nesting: usize) -> Result<Parsed, FilterError> {
        let pos = self.position();
        let is_not = self.peek_keyword("not")
            && matches!(self.tokens.get(self.next + 1), Some((_, Token::LParen)));
        if is_not {
            self.next += 2;
            let (inner, depth) = self.nested(nesting, Token::RParen, "`)` closing `not (`")?;
            return self.combine(pos, Filter::Not(Box::new(inner)), depth + 1);
        }
        match self.bump() {
            Some((_, Token::LParen)) => self.nested(nesting, Token::RParen, "`)`"),
            Some((pos, Token::Word(word))) => self.attr_expr(nesting, pos, &word),
            Some((pos, token)) => Err(FilterError::new(
                pos,
                format!("expected an attribute path, found {token:?}"),
            )),
            None => Err(FilterError::new(
                pos,
                "expected an attribute path, found the end of the filter",
            )),
        }
    }

    fn attr_expr(&mut self, nesting: usize, pos: usize, word: &str) -> Result<Parsed, FilterError> {
        let path = AttrPath::parse(word).map_err(|e| FilterError::new(pos, e.message))?;
        let op_pos = self.position();
        match self.bump() {
            Some((_, Token::LBracket)) => {
                let (inner, depth) =
                    self.nested(nesting, Token::RBracket, "`]` closing the value filter")?;
                self.combine(pos, Filter::ValuePath(path, Box::new(inner)), depth + 1)
            }
            Some((_, Token::Word(op))) if op.eq_ignore_ascii_case("pr") => {
                Ok((Filter::Present(path), 1))
            }
            Some((_, Token::Word(op))) => {
                let op = CompareOp::ALL
                    .into_iter()
                    .find(|known| known.as_str().eq_ignore_ascii_case(&op))
                    .ok_or_else(|| FilterError::new(op_pos, format!("unknown operator {op:?}")))?;
                let value = self.comp_value()?;
                Ok((Filter::Compare(path, op, value), 1))
            }
            _ => Err(FilterError::new(
                op_pos,
                "expected an operator, `pr` or `[` after the attribute path",
            )),
        }
    }

    fn comp_value(&mut self) -> Result<CompValue, FilterError> {
        let pos = self.position();
        match self.bump() {
            Some((_, Token::Str(s))) => Ok(CompValue::Str(s)),
            Some((_, Token::Num(n))) => Ok(CompValue::Num(n)),
            Some((_, Token::Word(w))) if w == "true" => Ok(CompValue::Bool(true)),
            Some((_, Token::Word(w))) if w == "false" => Ok(CompValue::Bool(false)),
            Some((_, Token::Word(w))) if w == "null" => Ok(CompValue::Null),
            _ => Err(FilterError::new(
                pos,
                "expected a value: a \"string\", a number, true, false or null",
            )),
        }
    }
}
