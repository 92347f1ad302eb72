fn main() -> std::process::ExitCode {
    herd::cli::main("herd-watch", herd::tools::watch::run)
}
