fn main() -> std::process::ExitCode {
    herd::cli::main("herd-status", herd::tools::status::run)
}
