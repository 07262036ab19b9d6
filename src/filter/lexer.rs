//! Splits filter text into tokens: parentheses, operators, `key<op>values` terms and words.
//!
//! Whitespace and `( ) | & ! "` end a word; double quotes join anything (with `\"` and `\\`
//! escapes) into a value. A term starts with a field name made of ASCII letters, digits and `_`
//! directly followed by `:`, `=`, `<`, `<=`, `>` or `>=`; everything else is a bare word.

use super::error::ParseError;

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

#[derive(Debug, Clone)]
pub(crate) enum TokenKind {
    LeftParen,
    RightParen,
    Not,
    And,
    Or,
    Keyed(Keyed),
    Word(RawValue),
}

/// `key<op>value[,value...]` as typed, before the key is checked.
#[derive(Debug, Clone)]
pub(crate) struct Keyed {
    pub(crate) key: String,
    pub(crate) operator: Operator,
    pub(crate) operator_position: usize,
    pub(crate) values: Vec<RawValue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operator {
    Colon,
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Operator {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Operator::Colon => ":",
            Operator::Equal => "=",
            Operator::Less => "<",
            Operator::LessOrEqual => "<=",
            Operator::Greater => ">",
            Operator::GreaterOrEqual => ">=",
        }
    }
}

/// One value with quotes removed; `position` is where it starts in the input.
#[derive(Debug, Clone)]
pub(crate) struct RawValue {
    pub(crate) text: String,
    pub(crate) position: usize,
    pub(crate) quoted: bool,
}

pub(crate) fn tokenize(input: &str) -> Result<Vec<Token>, ParseError> {
    let mut lexer = Lexer { input, position: 0 };
    let mut tokens = Vec::new();
    while let Some(token) = lexer.next_token()? {
        tokens.push(token);
    }
    Ok(tokens)
}

struct Lexer<'a> {
    input: &'a str,
    position: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.input[self.position..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.position += c.len_utf8();
        Some(c)
    }

    fn next_token(&mut self) -> Result<Option<Token>, ParseError> {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
        let start = self.position;
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        let kind = match c {
            '(' | ')' | '!' | '&' | '|' => {
                self.bump();
                match c {
                    '(' => TokenKind::LeftParen,
                    ')' => TokenKind::RightParen,
                    '!' => TokenKind::Not,
                    '&' => TokenKind::And,
                    _ => TokenKind::Or,
                }
            }
            _ => self.atom()?,
        };
        Ok(Some(Token {
            kind,
            start,
            end: self.position,
        }))
    }

    fn atom(&mut self) -> Result<TokenKind, ParseError> {
        if let Some(key) = self.key()? {
            let operator_position = self.position;
            let operator = self.operator();
            let values = self.values()?;
            return Ok(TokenKind::Keyed(Keyed {
                key,
                operator,
                operator_position,
                values,
            }));
        }
        if let Some(c) = self.peek().filter(|c| ":=<>".contains(*c)) {
            return Err(ParseError::new(
                self.position,
                format!("`{c}` must follow a field name, as in user:alice or dur>5m"),
            ));
        }
        let word = self.value(false)?;
        Ok(match word.text.to_ascii_lowercase().as_str() {
            "or" if !word.quoted => TokenKind::Or,
            "and" if !word.quoted => TokenKind::And,
            "not" if !word.quoted => TokenKind::Not,
            _ => TokenKind::Word(word),
        })
    }

    /// Consumes a field name when an operator follows it; leaves a bare word untouched.
    fn key(&mut self) -> Result<Option<String>, ParseError> {
        let rest = &self.input[self.position..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Ok(None);
        }
        let length = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (key, after) = rest.split_at(length);
        if after.starts_with("!=") {
            return Err(ParseError::new(
                self.position + length,
                format!("`!=` is not an operator; negate the term instead: !{key}:value"),
            ));
        }
        if !after.starts_with([':', '=', '<', '>']) {
            return Ok(None);
        }
        self.position += length;
        Ok(Some(key.to_owned()))
    }

    fn operator(&mut self) -> Operator {
        let first = self.bump();
        let or_equal = self.peek() == Some('=') && matches!(first, Some('<' | '>'));
        if or_equal {
            self.bump();
        }
        match (first, or_equal) {
            (Some('<'), false) => Operator::Less,
            (Some('<'), true) => Operator::LessOrEqual,
            (Some('>'), false) => Operator::Greater,
            (Some('>'), true) => Operator::GreaterOrEqual,
            (Some('='), _) => Operator::Equal,
            _ => Operator::Colon,
        }
    }

    fn values(&mut self) -> Result<Vec<RawValue>, ParseError> {
        let mut values = vec![self.value(true)?];
        while self.peek() == Some(',') {
            self.bump();
            values.push(self.value(true)?);
        }
        Ok(values)
    }

    /// Reads one value up to whitespace, a reserved character or (in lists) an unquoted comma.
    fn value(&mut self, in_list: bool) -> Result<RawValue, ParseError> {
        let position = self.position;
        let mut text = String::new();
        let mut quoted = false;
        while let Some(c) = self.peek() {
            if c.is_whitespace() || "()|&!".contains(c) || (in_list && c == ',') {
                break;
            }
            if c == '"' {
                quoted = true;
                self.quoted_into(&mut text)?;
            } else {
                text.push(c);
                self.bump();
            }
        }
        Ok(RawValue {
            text,
            position,
            quoted,
        })
    }

    fn quoted_into(&mut self, text: &mut String) -> Result<(), ParseError> {
        let opening = self.position;
        self.bump();
        loop {
            let c = match self.bump() {
                Some('"') => return Ok(()),
                Some('\\') if matches!(self.peek(), Some('"' | '\\')) => self.bump(),
                other => other,
            };
            match c {
                Some(c) => text.push(c),
                None => {
                    return Err(ParseError::new(
                        opening,
                        "unclosed quote: add a closing `\"`",
                    ));
                }
            }
        }
    }
}
