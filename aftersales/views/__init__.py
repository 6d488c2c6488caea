"""HTML pages of the after-sales floor: access check (selectors: 404 for what the user may not see) → form → service →
redirect or the page again with the service's message and status (400/403/409). Who may do what comes only from
aftersales.permissions."""
