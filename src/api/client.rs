//! The client's address, as the connection gives it (the server inserts it per connection).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// The peer's address; none when the application is called without a connection (in tests
/// through `oneshot`). Behind a reverse proxy it is the proxy's: `X-Forwarded-For` is not
/// trusted, since any client can send it.
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(ClientAddress(peer.map(|ConnectInfo(a)| a.ip())))
    }
}
