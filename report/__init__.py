"""auditdesk report: the audit report (服务认证审查报告) rendered from an audit.

`markdown.render` gives the Markdown and its radar charts, `html.to_html` a
standalone page; `escape` keeps user text inert in both.  Only `html`
imports markdown-it-py.
"""
