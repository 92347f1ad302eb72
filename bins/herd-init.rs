fn main() -> std::process::ExitCode {
    herd::cli::main("herd-init", herd::tools::init::run)
}
