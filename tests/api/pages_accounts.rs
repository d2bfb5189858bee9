//! The web pages of the accounts, API tokens and audit pages, and the lecturer's absences, for every kind of account, allowed and refused.
