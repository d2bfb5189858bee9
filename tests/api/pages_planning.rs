//! The web pages of the annual plans, requests and briefings pages, for every kind of account, allowed and refused.
