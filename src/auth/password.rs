//! Passwords are stored as argon2id PHC strings, of the composed form (NFC): "Mật khẩu" typed
//! with a keyboard that sends decomposed letters (Unikey's "Unicode tổ hợp") is the same password.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use unicode_normalization::UnicodeNormalization;

pub const MIN_LENGTH: usize = 8;

/// A password's characters, counted in the composed form.
pub fn length(password: &str) -> usize {
    password.nfc().count()
}

pub fn hash(password: &str) -> anyhow::Result<String> {
    let password: String = password.nfc().collect();
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?
        .to_string())
}

/// True when `password` matches the stored hash; a malformed hash matches nothing. A hash
/// stored before passwords were composed may be of the text as typed then, composed or
/// decomposed: both are tried when they differ from the composed form.
pub fn verify(password: &str, stored: &str) -> bool {
    let Ok(h) = PasswordHash::new(stored) else {
        return false;
    };
    let matches = |text: &str| Argon2::default().verify_password(text.as_bytes(), &h).is_ok();
    let composed: String = password.nfc().collect();
    let decomposed: String = password.nfd().collect();
    matches(&composed)
        || (password != composed && matches(password))
        || (decomposed != composed && decomposed != password && matches(&decomposed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash("mật khẩu dài").unwrap();
        let b = hash("mật khẩu dài").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify("mật khẩu dài", &a));
        assert!(!verify("mat khau dai", &a));
        assert!(!verify("anything", "not a hash"));
    }

    #[test]
    fn a_password_is_the_same_composed_or_decomposed() {
        let (composed, decomposed) = ("Mật khẩu 2027", "M\u{61}\u{323}\u{302}t kh\u{61}\u{302}\u{309}u 2027");
        assert_ne!(composed, decomposed);
        assert_eq!(length(decomposed), length(composed));
        assert!(verify(decomposed, &hash(composed).unwrap()));
        assert!(verify(composed, &hash(decomposed).unwrap()));
        // Set decomposed before passwords were composed: still accepted as typed then.
        let salt = SaltString::encode_b64(&[7; 16]).unwrap();
        let before = Argon2::default()
            .hash_password(decomposed.as_bytes(), &salt)
            .unwrap()
            .to_string();
        assert!(verify(decomposed, &before));
        assert!(verify(composed, &before), "typed composed now");
        assert!(!verify("Mat khau 2027", &before));
    }
}
