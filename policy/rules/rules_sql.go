package rules

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
			Description: "The production Cloud SQL instance cannot be deleted by accident (deletion protection).",
			Remediation: "Set deletionProtection: true on the instance of the prod cluster.",
			Check: func(r Resource) []Finding {
				cluster, pending := clusterName(r)
				if pending != nil {
					return []Finding{undecided(*pending)}
				}
				if r.Environment != "prod" && cluster != productionCluster {
					return nil
				}
				v := inputs(r).key("deletionProtection")
				return require(v, !v.isTrue(), "deletionProtection is not true on a production instance")
			},
		},
	}
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
