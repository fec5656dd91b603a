//! Splitting version text into word-level tokens for diffing.
//!
//! Words (letters and digits, with inner apostrophes), numbers (`1,000.5`),
//! single punctuation marks and whitespace runs are separate tokens. The diff
//! compares tokens by their [`Token::key`], in which every whitespace run is one
//! space, so reflowed text does not count as changed.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    Number,
    Punct,
    Space,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'t> {
    pub kind: TokenKind,
    pub text: &'t str,
}

impl Token<'_> {
    /// What the diff compares: whitespace runs are all equal.
    pub fn key(&self) -> &str {
        if self.kind == TokenKind::Space {
            " "
        } else {
            self.text
        }
    }
}

pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(text.len(), |c| c.0);
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let mut j = i + 1;
        let kind = if c.is_whitespace() {
            while j < chars.len() && chars[j].1.is_whitespace() {
                j += 1;
            }
            TokenKind::Space
        } else if c.is_ascii_digit() {
            // 1,000 and 2.5 are one number; "2026-06-02" is three with hyphens between.
            while j < chars.len() {
                let d = chars[j].1;
                let next_is_digit = chars.get(j + 1).is_some_and(|n| n.1.is_ascii_digit());
                if d.is_ascii_digit() || ((d == ',' || d == '.') && next_is_digit) {
                    j += 1;
                } else {
                    break;
                }
            }
            TokenKind::Number
        } else if c.is_alphanumeric() {
            while j < chars.len() {
                let d = chars[j].1;
                let next_is_alnum = chars.get(j + 1).is_some_and(|n| n.1.is_alphanumeric());
                if d.is_alphanumeric() || ((d == '\'' || d == '’') && next_is_alnum) {
                    j += 1;
                } else {
                    break;
                }
            }
            TokenKind::Word
        } else {
            TokenKind::Punct
        };
        out.push(Token {
            kind,
            text: &text[start..end_of(j)],
        });
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        tokenize(s).iter().map(|t| t.text).collect()
    }

    #[test]
    fn words_numbers_punctuation_and_space() {
        assert_eq!(
            texts("a 90-day window"),
            ["a", " ", "90", "-", "day", " ", "window"]
        );
        assert_eq!(
            texts("$1,000.50 (ten)"),
            ["$", "1,000.50", " ", "(", "ten", ")"]
        );
        assert_eq!(
            texts("the agency's 25%."),
            ["the", " ", "agency's", " ", "25", "%", "."]
        );
        assert_eq!(texts("2026-06-02"), ["2026", "-", "06", "-", "02"]);
    }

    #[test]
    fn whitespace_runs_compare_equal() {
        let a = tokenize("a  \n b");
        let b = tokenize("a b");
        let ka: Vec<&str> = a.iter().map(Token::key).collect();
        let kb: Vec<&str> = b.iter().map(Token::key).collect();
        assert_eq!(ka, kb);
    }
}
