//! Notifications: people, centers and unit boards are told what changed by e-mail and by the
//! province's webhook. A change writes its messages to the outbox in its own transaction
//! ([`causes`]); the sender delivers them in the background with retries ([`sender`]); what a
//! message says is [`message`]; who wants what, [`settings`].

pub mod causes;
pub mod message;
pub mod outbox;
pub mod sender;
pub mod settings;

pub use sender::{Delivery, Smtp, SmtpSecurity};
