from auditdesk.cli import main

raise SystemExit(main())
