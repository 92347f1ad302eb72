fn main() -> std::process::ExitCode {
    herd::cli::main("herd-tail", herd::tools::tail::run)
}
