fn main() -> std::process::ExitCode {
    herd::cli::main("herd-expand", herd::tools::expand::run)
}
