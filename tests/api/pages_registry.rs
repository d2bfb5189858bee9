//! The web pages of the registry and import pages, for every kind of account, allowed and refused.
