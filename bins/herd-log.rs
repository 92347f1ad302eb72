fn main() -> std::process::ExitCode {
    herd::cli::main("herd-log", herd::tools::log::run)
}
