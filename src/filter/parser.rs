//! Recursive descent over the tokens. Precedence, loosest first: `or`, AND (juxtaposition,
//! `and`, `&`), `!`/`not`; parentheses group. So `a b or c` is `(a b) or c` and `!a b` is
//! `(!a) b`.

use super::ParseContext;
use super::ast::{Expr, Term};
use super::error::ParseError;
use super::lexer::{Token, TokenKind, tokenize};
use super::term::TermKind;
use super::term::{keyed_term, word_term};

/// Parses the filter text; `None` when it holds no term at all.
pub(crate) fn parse_expression(
    input: &str,
    ctx: &ParseContext,
) -> Result<Option<Expr>, ParseError> {
    let tokens = tokenize(input)?;
    if tokens.is_empty() {
        return Ok(None);
    }
    let mut parser = Parser {
        input,
        ctx,
        tokens: tokens.into_iter().peekable(),
        depth: 0,
    };
    let expr = parser.or_expr(None)?;
    match parser.tokens.next() {
        None => Ok(Some(expr)),
        Some(token) => Err(ParseError::new(
            token.start,
            "unbalanced parenthesis: this `)` has no matching `(`",
        )),
    }
}

const MAX_NESTING: usize = 100;

struct Parser<'a> {
    input: &'a str,
    ctx: &'a ParseContext,
    tokens: std::iter::Peekable<std::vec::IntoIter<Token>>,
    depth: usize,
}

impl Parser<'_> {
    /// `after` is the token just read that requires a term (for the message when none comes).
    fn or_expr(&mut self, after: Option<&Token>) -> Result<Expr, ParseError> {
        let mut alternatives = Vec::new();
        push_or(&mut alternatives, self.and_expr(after)?);
        while let Some(or) = self.next_if(|kind| matches!(kind, TokenKind::Or)) {
            push_or(&mut alternatives, self.and_expr(Some(&or))?);
        }
        Ok(collapse(alternatives, Expr::Or))
    }

    fn and_expr(&mut self, after: Option<&Token>) -> Result<Expr, ParseError> {
        let mut terms = Vec::new();
        push_and(&mut terms, self.unary(after)?);
        loop {
            if let Some(and) = self.next_if(|kind| matches!(kind, TokenKind::And)) {
                push_and(&mut terms, self.unary(Some(&and))?);
            } else if self.tokens.peek().is_some_and(|t| starts_term(&t.kind)) {
                push_and(&mut terms, self.unary(None)?);
            } else {
                return Ok(collapse(terms, Expr::And));
            }
        }
    }

    fn unary(&mut self, after: Option<&Token>) -> Result<Expr, ParseError> {
        let Some(token) = self.tokens.next() else {
            return Err(self.missing_term(after, None));
        };
        match token.kind {
            TokenKind::Not => self.nested(&token, |parser| {
                Ok(Expr::Not(Box::new(parser.unary(Some(&token))?)))
            }),
            TokenKind::LeftParen => self.nested(&token, |parser| parser.group(&token)),
            TokenKind::Keyed(keyed) => {
                Ok(term(keyed_term(keyed, token.start, self.ctx)?, token.start))
            }
            TokenKind::Word(word) => Ok(term(word_term(word)?, token.start)),
            TokenKind::RightParen | TokenKind::And | TokenKind::Or => {
                Err(self.missing_term(after, Some(&token)))
            }
        }
    }

    /// Parses inside `(` or `!`, refusing nesting deep enough to exhaust the stack (a pasted
    /// text of thousands of parentheses must not crash the dashboard).
    fn nested(
        &mut self,
        token: &Token,
        parse: impl FnOnce(&mut Self) -> Result<Expr, ParseError>,
    ) -> Result<Expr, ParseError> {
        if self.depth == MAX_NESTING {
            return Err(ParseError::new(
                token.start,
                format!("too deeply nested: at most {MAX_NESTING} levels of `(` and `!`"),
            ));
        }
        self.depth += 1;
        let expr = parse(self);
        self.depth -= 1;
        expr
    }

    fn group(&mut self, open: &Token) -> Result<Expr, ParseError> {
        let inner = self.or_expr(Some(open))?;
        match self.tokens.next() {
            Some(Token {
                kind: TokenKind::RightParen,
                ..
            }) => Ok(inner),
            _ => Err(ParseError::new(
                open.start,
                "unbalanced parenthesis: this `(` is never closed",
            )),
        }
    }

    fn next_if(&mut self, wanted: impl Fn(&TokenKind) -> bool) -> Option<Token> {
        self.tokens.next_if(|t| wanted(&t.kind))
    }

    /// The error for a missing term: `after` is the token that wanted one, `found` what came
    /// instead (`None` at the end of the input).
    fn missing_term(&self, after: Option<&Token>, found: Option<&Token>) -> ParseError {
        let position = found.map_or(self.input.len(), |t| t.start);
        let message = match (after, found) {
            (Some(after), _) => format!(
                "expected a term after `{}`",
                &self.input[after.start..after.end]
            ),
            (None, Some(found)) => format!(
                "`{}` needs a term before it",
                &self.input[found.start..found.end]
            ),
            (None, None) => "expected a term".to_owned(),
        };
        ParseError::new(position, message)
    }
}

fn starts_term(kind: &TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Not | TokenKind::LeftParen | TokenKind::Keyed(_) | TokenKind::Word(_)
    )
}

fn term(kind: TermKind, position: usize) -> Expr {
    Expr::Term(Term { kind, position })
}

/// Appends an AND operand, splicing in a nested AND (`(a b) c` is `a b c`).
fn push_and(items: &mut Vec<Expr>, expr: Expr) {
    match expr {
        Expr::And(children) => items.extend(children),
        other => items.push(other),
    }
}

/// Appends an `or` alternative, splicing in a nested `or`.
fn push_or(items: &mut Vec<Expr>, expr: Expr) {
    match expr {
        Expr::Or(children) => items.extend(children),
        other => items.push(other),
    }
}

fn collapse(mut items: Vec<Expr>, combine: fn(Vec<Expr>) -> Expr) -> Expr {
    if items.len() == 1 {
        items.pop().expect("one item")
    } else {
        combine(items)
    }
}
