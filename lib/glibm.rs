//! TEMPORARY stub; replaced by the numerics change.
pub(crate) fn log10(x: f64) -> f64 {
    x.log10()
}
pub(crate) fn pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}
