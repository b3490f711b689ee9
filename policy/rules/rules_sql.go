package rules

import "strings"

// The Cloud SQL rules follow Checkov's and Trivy's Cloud SQL checks (CIS GCP benchmark, Cloud SQL section).
func sqlRules() []Rule {
	instance := []string{TypeSQLInstance}
	return []Rule{
		{
			ID: "CONV-SQL-001", Severity: SeverityCritical, Types: instance,
			Description: "Cloud SQL instances have no public IP address (CIS GCP).",
			Remediation: "Set settings.ipConfiguration.ipv4Enabled: false and give the instance a private IP on the " +
				"cluster's VPC (settings.ipConfiguration.privateNetwork).",
			Check: func(r Resource) []Finding {
				v := inputs(r).at("settings.ipConfiguration.ipv4Enabled")
				return require(v, !v.isFalse(), "settings.ipConfiguration.ipv4Enabled is not false: the instance has a public IP")
			},
		},
		{
			ID: "CONV-SQL-002", Severity: SeverityHigh, Types: instance,
			Description: "Cloud SQL instances accept only encrypted connections (CIS GCP).",
			Remediation: "Set settings.ipConfiguration.sslMode: ENCRYPTED_ONLY (or TRUSTED_CLIENT_CERTIFICATE_REQUIRED).",
			Check:       checkSSL,
		},
		{
			ID: "CONV-SQL-003", Severity: SeverityHigh, Types: instance,
			Description: "Cloud SQL instances are backed up, with point-in-time recovery (CIS GCP).",
			Remediation: "Set settings.backupConfiguration.enabled: true and " +
				"settings.backupConfiguration.pointInTimeRecoveryEnabled: true.",
			Check: func(r Resource) []Finding {
				var out []Finding
				for _, key := range []string{"enabled", "pointInTimeRecoveryEnabled"} {
					v := inputs(r).at("settings.backupConfiguration." + key)
					out = append(out, require(v, !v.isTrue(), "%s is not true", v.path)...)
				}
				return out
			},
		},
		{
			ID: "CONV-SQL-004", Severity: SeverityHigh, Types: instance,
			Description: "Cloud SQL instances cannot be deleted by accident: deletion protection in the provider and " +
				"in Cloud SQL itself (a shared instance holds every environment's data of its cluster).",
			Remediation: "Set deletionProtection: true and settings.deletionProtectionEnabled: true on the instance.",
			Check: func(r Resource) []Finding {
				var out []Finding
				for _, path := range []string{"deletionProtection", "settings.deletionProtectionEnabled"} {
					v := inputs(r).at(path)
					out = append(out, require(v, !v.isTrue(), "%s is not true", path)...)
				}
				return out
			},
		},
		{
			ID: "CONV-SQL-005", Severity: SeverityMedium, Types: instance,
			Description: "The Cloud SQL edition is pinned and its tier is one of that edition's: PostgreSQL 16 defaults to " +
				"Enterprise Plus, which rejects db-custom-* tiers.",
			Remediation: "Set settings.edition: ENTERPRISE with a db-custom-* tier (conveyor:sqlTier), or ENTERPRISE_PLUS " +
				"with a db-perf-optimized-* tier.",
			Check: checkSQLEdition,
		},
	}
}

func checkSQLEdition(r Resource) []Finding {
	settings := inputs(r).key("settings")
	edition, tier := settings.key("edition"), settings.key("tier")
	switch {
	case edition.unknown():
		return []Finding{undecided(edition)}
	case tier.unknown():
		return []Finding{undecided(tier)}
	case !edition.set() || edition.str() == "":
		return []Finding{violationf("settings.edition is not set: the database version's default edition decides which tiers are accepted")}
	}
	perfOptimized := strings.HasPrefix(tier.str(), "db-perf-optimized-")
	if plus := edition.str() == "ENTERPRISE_PLUS"; plus != perfOptimized {
		return []Finding{violationf("settings.tier %s is not a tier of edition %s", tier.show(), edition.show())}
	}
	return nil
}

// sslModes are the modes that refuse unencrypted connections.
var sslModes = []string{"ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"}

func checkSSL(r Resource) []Finding {
	ip := inputs(r).at("settings.ipConfiguration")
	mode, legacy := ip.key("sslMode"), ip.key("requireSsl")
	switch {
	case mode.str() == sslModes[0] || mode.str() == sslModes[1] || legacy.isTrue():
		return nil
	case mode.unknown():
		return []Finding{undecided(mode)}
	case legacy.unknown():
		return []Finding{undecided(legacy)}
	case mode.set():
		return []Finding{violationf("settings.ipConfiguration.sslMode is %s: unencrypted connections are accepted", mode.show())}
	}
	return []Finding{violationf("settings.ipConfiguration.sslMode is not set (nor requireSsl): unencrypted connections are accepted")}
}
