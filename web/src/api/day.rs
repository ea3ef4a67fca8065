//! A calendar day in the API, documented as OpenAPI's `format: date` (`2024-05-31`), so
//! clients and generators know what to send. (poem-openapi describes chrono's `NaiveDate`
//! as `naive-date`, a format no tool knows, so any string would look valid.)

use std::borrow::Cow;

use chrono::NaiveDate;
use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type},
};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(pub NaiveDate);

impl From<NaiveDate> for Day {
    fn from(day: NaiveDate) -> Self {
        Day(day)
    }
}

fn parse(text: &str) -> ParseResult<Day> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Day)
        .map_err(|_| ParseError::custom(format!("{text:?} is not a date such as 2024-05-31")))
}

impl Type for Day {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_date".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date")))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromParameter for Day {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        parse(value)
    }
}

impl ParseFromJSON for Day {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(text) => parse(&text),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for Day {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.format("%Y-%m-%d").to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_and_written_as_iso_dates() {
        assert_eq!(Day::parse_from_parameter("2024-05-31").ok(), NaiveDate::from_ymd_opt(2024, 5, 31).map(Day));
        assert!(Day::parse_from_parameter("").is_err());
        assert!(Day::parse_from_parameter("31/05/2024").is_err());
        let day = Day(NaiveDate::from_ymd_opt(2024, 5, 31).expect("date"));
        assert_eq!(day.to_json(), Some(Value::String("2024-05-31".into())));
    }
}
