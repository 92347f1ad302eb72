fn main() -> std::process::ExitCode {
    herd::cli::main("herd-stop", herd::tools::stop::run)
}
