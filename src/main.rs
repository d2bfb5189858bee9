use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "roster=info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match roster::cli::Cli::parse().run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lỗi / error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
