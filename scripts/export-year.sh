#!/bin/sh
# The year's audit results for the certification body's records: an example
# to adapt, using only the auditdesk command line.
#
#   scripts/export-year.sh YEAR [OUT_DIR]            (default: the current folder)
#
# OUT_DIR/results-YEAR.csv            one row per audit whose on-site audit
#                                     started in YEAR: organisation, type, stage,
#                                     dates, leader, part scores, total, rate, star
# OUT_DIR/corrective-actions-YEAR.csv the same audits, each followed by its special
#                                     deductions with corrective action, owner and
#                                     due date (filter the "record" column on
#                                     "nonconformity" for the plan alone)
# OUT_DIR/results-YEAR.json           everything, every item result included, for
#                                     scripts and archives
#
# Set STAGE=approved to export approved audits only.  The CSV files are UTF-8
# with a byte-order mark so that Excel shows the Chinese text correctly;
# text that could run as a spreadsheet formula is quoted.  The store is
# $AUDITDESK_STORE (or add --store to the commands below).
set -eu

year=${1:?usage: export-year.sh YEAR [OUT_DIR]}
out=${2:-.}
auditdesk=${AUDITDESK:-auditdesk}
case $year in
    [12][0-9][0-9][0-9]) ;;
    *) echo "export-year.sh: YEAR must be four digits, such as 2024" >&2; exit 2 ;;
esac
set -- --year "$year"
[ -n "${STAGE:-}" ] && set -- "$@" --stage "$STAGE"

mkdir -p "$out"
"$auditdesk" export --format csv "$@" --out "$out/results-$year.csv"
"$auditdesk" export --format csv --nonconformities "$@" --out "$out/corrective-actions-$year.csv"
"$auditdesk" export --format json --items --nonconformities "$@" --out "$out/results-$year.json"
