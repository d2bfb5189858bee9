//! The load chart: sessions and travel per person, side by side (plotters, as SVG).

use plotters::prelude::*;

use crate::reports::loads::PersonLoad;

const ROW: u32 = 18;
const WIDTH: u32 = 960;

/// The chart as an SVG element, with the panels' titles given.
pub fn loads(people: &[PersonLoad], sessions_title: &str, travel_title: &str) -> Result<String, String> {
    let height = 70 + ROW * people.len() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (left, right) = root.split_horizontally(WIDTH * 3 / 5);
        // Bars are drawn from the bottom up: the first person goes last, to sit on top.
        let names: Vec<&str> = people.iter().rev().map(|p| p.full_name.as_str()).collect();
        let sessions: Vec<i64> = people.iter().rev().map(|p| p.sessions).collect();
        let travel: Vec<i64> = people.iter().rev().map(|p| p.travel_minutes).collect();
        panel(&left, sessions_title, &names, &sessions, &RGBColor(37, 99, 235), 230)?;
        panel(&right, travel_title, &names, &travel, &RGBColor(234, 88, 12), 8)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Horizontal bars, one per person, names on the left when `names_width` allows.
fn panel(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    title: &str,
    names: &[&str],
    values: &[i64],
    color: &RGBColor,
    names_width: u32,
) -> Result<(), String> {
    let n = values.len();
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 15))
        .margin(6)
        .x_label_area_size(22)
        .y_label_area_size(names_width)
        .build_cartesian_2d(0..max + max / 10 + 1, (0..n).into_segmented())
        .map_err(|e| e.to_string())?;
    let label = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(i) if names_width > 50 => names.get(*i).copied().unwrap_or("").to_string(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n.max(1))
        .y_label_formatter(&label)
        .y_label_style(("sans-serif", 13))
        .x_labels(6)
        .x_label_style(("sans-serif", 12))
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(values.iter().enumerate().map(|(i, v)| {
            let mut bar = Rectangle::new(
                [(0, SegmentValue::Exact(i)), (*v, SegmentValue::Exact(i + 1))],
                color.filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            bar
        }))
        .map_err(|e| e.to_string())?;
    Ok(())
}
