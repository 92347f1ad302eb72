fn main() -> std::process::ExitCode {
    herd::cli::main("herd-submit", herd::tools::submit::run)
}
