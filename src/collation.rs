//! Vietnamese name ordering and diacritics-insensitive search keys.
//!
//! Vietnamese lists sort people by given name (the last word), then by the rest of the name,
//! in the Vietnamese alphabet (a ă â b c d đ e ê … o ô ơ … u ư …) with tones as a second level
//! (none, huyền, hỏi, ngã, sắc, nặng). The keys are plain strings that sort byte by byte, so
//! both SQLite and PostgreSQL order them the same way with `ORDER BY sort_key`.

use unicode_normalization::UnicodeNormalization;

const ALPHABET: &[&str] = &[
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "ô", "ơ", "p", "q",
    "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
];

/// Combining tone marks in Vietnamese dictionary order (the level tone has none).
const TONES: [char; 5] = ['\u{300}', '\u{309}', '\u{303}', '\u{301}', '\u{323}'];
/// Combining marks that make a letter of their own: breve (ă), circumflex (â ê ô), horn (ơ ư).
const LETTER_MARKS: [char; 3] = ['\u{306}', '\u{302}', '\u{31B}'];

/// The key that orders `full_name` the Vietnamese way.
pub fn sort_key(full_name: &str) -> String {
    let words: Vec<&str> = full_name.split_whitespace().collect();
    let Some((given, rest)) = words.split_last() else {
        return String::new();
    };
    std::iter::once(*given)
        .chain(rest.iter().copied())
        .map(word_key)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A word's letters (first level) then its tones (second level), separated by a byte lower
/// than any letter so that a shorter word sorts before its extensions.
fn word_key(word: &str) -> String {
    let mut letters = String::new();
    let mut tones = String::new();
    for (base, tone) in letters_of(word) {
        match ALPHABET.iter().position(|l| *l == base) {
            Some(i) => letters.push(char::from(b'A' + i as u8)),
            None if base.chars().all(|c| c.is_ascii_digit()) => letters.push_str(&base),
            None if base.chars().all(char::is_alphanumeric) => {
                letters.push('~');
                letters.push_str(&base);
            }
            None => continue, // punctuation such as hyphens and dots does not order names
        }
        tones.push(char::from(b'0' + tone));
    }
    format!("{letters}!{tones}")
}

/// Splits a word into lowercase letters (with their letter-forming marks, recomposed) and tones.
fn letters_of(word: &str) -> Vec<(String, u8)> {
    let mut out: Vec<(String, u8)> = Vec::new();
    for c in word.nfd().flat_map(char::to_lowercase) {
        if let Some(t) = TONES.iter().position(|m| *m == c) {
            if let Some(last) = out.last_mut() {
                last.1 = t as u8 + 1;
            }
        } else if LETTER_MARKS.contains(&c) {
            if let Some(last) = out.last_mut() {
                last.0.push(c);
                last.0 = last.0.nfc().collect();
            }
        } else {
            out.push((c.to_string(), 0));
        }
    }
    out
}

/// Lowercase text without tones or letter marks (đ becomes d), for searching names typed
/// with or without diacritics.
pub fn search_key(text: &str) -> String {
    text.nfd()
        .filter(|c| !TONES.contains(c) && !LETTER_MARKS.contains(c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text as users typed it, in the composed form (NFC) with spaces tidied, so that the same
/// name typed on different systems is stored the same way.
pub fn clean_text(text: &str) -> String {
    text.nfc()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !is_invisible(*c))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Format characters that show nothing (zero-width spaces and joiners, direction marks, the
/// byte-order mark) and only make equal-looking names differ.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{AD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        v.sort_by_key(|n| sort_key(n));
        v
    }

    #[test]
    fn sorts_by_given_name_first() {
        assert_eq!(
            sorted(&["Nguyễn Văn Bình", "Trần Thị An", "Lê Văn Cường"]),
            ["Trần Thị An", "Nguyễn Văn Bình", "Lê Văn Cường"]
        );
    }

    #[test]
    fn ties_on_given_name_fall_back_to_family_and_middle_names() {
        assert_eq!(
            sorted(&["Trần Văn An", "Lê Thị An", "Đặng Văn An", "Đào Minh An"]),
            // đ sits between d and e, so Đào and Đặng come before Lê (byte order puts them last).
            ["Đào Minh An", "Đặng Văn An", "Lê Thị An", "Trần Văn An"]
        );
    }

    #[test]
    fn follows_the_vietnamese_alphabet_not_code_points() {
        // a < ă < â, d < đ, o < ô < ơ, u < ư; byte order would put đ after every ASCII letter.
        assert_eq!(
            sorted(&["Lê Ân", "Lê Ăn", "Lê An", "Lê Đức", "Lê Dung", "Lê Em"]),
            ["Lê An", "Lê Ăn", "Lê Ân", "Lê Dung", "Lê Đức", "Lê Em"]
        );
        assert_eq!(
            sorted(&["Lê Ơn", "Lê Ôn", "Lê On", "Lê Ưng", "Lê Ung"]),
            ["Lê On", "Lê Ôn", "Lê Ơn", "Lê Ung", "Lê Ưng"]
        );
    }

    #[test]
    fn tones_order_after_letters_in_dictionary_order() {
        assert_eq!(
            sorted(&["Lê Hạ", "Lê Há", "Lê Hã", "Lê Hả", "Lê Hà", "Lê Ha"]),
            ["Lê Ha", "Lê Hà", "Lê Hả", "Lê Hã", "Lê Há", "Lê Hạ"]
        );
        // Letters decide before tones: Hà comes before Hai.
        assert_eq!(sorted(&["Lê Hai", "Lê Hà"]), ["Lê Hà", "Lê Hai"]);
    }

    #[test]
    fn composed_and_decomposed_input_give_the_same_key() {
        let composed = "Nguyễn Thị Ánh";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(sort_key(composed), sort_key(&decomposed));
        assert_eq!(clean_text(&decomposed), composed);
    }

    #[test]
    fn control_and_invisible_characters_are_dropped() {
        assert_eq!(clean_text("Lê\u{0}Văn\u{200B} Tám\n"), "Lê Văn Tám");
    }

    #[test]
    fn search_ignores_diacritics_and_case() {
        assert_eq!(search_key("  Đặng   THỊ Ánh "), "dang thi anh");
        assert_eq!(search_key("Nguyễn Văn Ưng"), "nguyen van ung");
    }

    #[test]
    fn empty_names_have_empty_keys() {
        assert_eq!(sort_key("   "), "");
    }
}
