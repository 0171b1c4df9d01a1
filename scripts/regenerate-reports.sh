#!/bin/sh
# Regenerate the audit reports after a catalog or report-template change
# (or nightly, from cron): an example to adapt, using only the auditdesk
# command line.
#
#   scripts/regenerate-reports.sh [OUT_DIR]          (default: ./reports)
#
# OUT_DIR/all       every audit's report, Markdown with its radar charts
# OUT_DIR/approved  approved audits only (Markdown), each checked with `auditdesk verify`
# OUT_DIR/approved-html  the same as standalone HTML pages, to send out
#
# Runs are incremental: a report is rendered again only when its audit, its
# catalog (by content hash) or the report code changed, so after a catalog
# edit exactly the audits scored under that catalog are redone.  Set FORCE=1
# to render everything anyway, JOBS=N to choose the number of processes.
# The store is $AUDITDESK_STORE (or add --store to the commands below).
#
# Exit status 1 if any report failed or did not verify; the failures are
# listed on stderr, the other reports are still written.
set -u

out=${1:-reports}
auditdesk=${AUDITDESK:-auditdesk}
set --
[ "${FORCE:-0}" = 1 ] && set -- "$@" --force
[ -n "${JOBS:-}" ] && set -- "$@" --jobs "$JOBS"

status=0
"$auditdesk" report --all --out "$out/all" "$@" || status=1
"$auditdesk" report --all --stage approved --out "$out/approved" "$@" || status=1
"$auditdesk" report --all --stage approved --format html --out "$out/approved-html" "$@" || status=1

# Each approved report must be byte for byte the report of its approved revision.
for report in "$out"/approved/*.md; do
    [ -e "$report" ] || continue
    "$auditdesk" verify "$report" >/dev/null || status=1
done
exit "$status"
