fn main() -> std::process::ExitCode {
    herd::cli::main("herd-sh", herd::tools::sh::run)
}
