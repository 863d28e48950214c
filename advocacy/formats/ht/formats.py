# Haitian Creole (CLDR "ht"): Django ships no format module for it, and
# without one a Haitian Creole page would use the English defaults. Day before
# month, a 24-hour clock and a decimal comma, as in Haiti.
# Month and day names come from the Haitian Creole catalogue (msgid "September"...).
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # non-breaking space
NUMBER_GROUPING = 3
