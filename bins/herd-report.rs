fn main() -> std::process::ExitCode {
    herd::cli::main("herd-report", herd::tools::report::run)
}
