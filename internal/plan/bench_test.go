package plan

import "testing"

// The planning cost of one start, replanned at each query as the applier
// does: what jcage's CPU per started jail pays for planning. The answers
// are collected once; each iteration plans with them as the applier
// meets them.
func BenchmarkStartPlan(b *testing.B) {
	for _, name := range []string{"release-minor-newer", "vnet-static4-slaac6", "nat-vnet-prestart"} {
		var pc planCase
		for _, c := range startCases {
			if c.name == name {
				pc = c
			}
		}
		b.Run(name, func(b *testing.B) {
			in := planInput(&testing.T{}, pc)
			drive(in, Start, planHost(pc))
			all := in.Answers
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				in.Answers = Answers{}
				for {
					p := Start(in)
					_ = p.Steps[len(p.Steps)-1].String()
					if !p.Pending {
						break
					}
					last := p.Steps[len(p.Steps)-1]
					in.Answers[last.ID] = all[last.ID]
				}
			}
		})
	}
}
